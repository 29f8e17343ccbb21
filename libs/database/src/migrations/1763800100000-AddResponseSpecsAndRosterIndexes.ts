import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching and roster: versioned response specs, warning circles kept for ST_DWithin, validity on 包干
 * assignments, and the indexes the matching benchmark and roster lookups need.
 */
export class AddResponseSpecsAndRosterIndexes1763800100000 implements MigrationInterface {
  name = 'AddResponseSpecsAndRosterIndexes1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE response_specs (
      version int PRIMARY KEY CHECK (version > 0),
      body jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by varchar(100) NOT NULL)`);
    await q.query(`ALTER TABLE warnings ADD COLUMN area_circles jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE contracting_assignments ADD COLUMN valid_from date, ADD COLUMN valid_to date`);
    await q.query(`CREATE INDEX idx_persons_backup ON persons(backup_person_id)`);
    await q.query(`CREATE INDEX idx_persons_unit ON persons(admin_unit_code varchar_pattern_ops)`);
    await q.query(`CREATE INDEX idx_assignments_backup ON responsibility_assignments(backup_person_id)`);
    await q.query(`CREATE INDEX idx_assignments_role_target ON responsibility_assignments(role_slot, target_id)`);
    await q.query(`CREATE INDEX idx_contracting_leader ON contracting_assignments(leader_person_id)`);
    await q.query(`CREATE INDEX idx_special_residents_caller ON special_residents(caller_person_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'idx_special_residents_caller',
      'idx_contracting_leader',
      'idx_assignments_role_target',
      'idx_assignments_backup',
      'idx_persons_unit',
      'idx_persons_backup',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`ALTER TABLE contracting_assignments DROP COLUMN valid_from, DROP COLUMN valid_to`);
    await q.query(`ALTER TABLE warnings DROP COLUMN area_circles`);
    await q.query(`DROP TABLE response_specs`);
  }
}
