import { MigrationInterface, QueryRunner } from 'typeorm';

/** The backup of a person's first assignment (by id) that names one: an aggregate, never a scan in id order. */
const FIRST_ASSIGNED_BACKUP = `(array_agg(a.backup_person_id ORDER BY a.id))[1]`;

/**
 * Each person's effective A/B 角, kept on the person: their own backup, else the backup of their first assignment
 * (by id) that names one. Matching reads it as a column: as a subquery per reason row it was about three quarters
 * of the reasons statement (43,486 probes on the benchmark county; an index-only probe was hardly cheaper).
 *
 * The database keeps it right for every writer of the two tables (roster import and edits, the seeds, TypeORM
 * saves, tests): a person's row sets it when inserted or when their own backup is written, and a statement that
 * adds, changes or deletes assignments with a backup recomputes it, set-based, for the people it touched.
 */
export class EffectiveBackups1763801900000 implements MigrationInterface {
  name = 'EffectiveBackups1763801900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persons ADD COLUMN effective_backup_id uuid`);
    // A new person has no assignment yet (assignments reference persons): their own backup is all there is. A value
    // the assignments' trigger writes (one level down) is kept; one written by anyone else is computed again.
    await q.query(`CREATE FUNCTION persons_effective_backup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
          RETURN NEW;
        END IF;
        NEW.effective_backup_id := CASE WHEN TG_OP = 'INSERT' OR NEW.backup_person_id IS NOT NULL
          THEN NEW.backup_person_id
          ELSE (SELECT ${FIRST_ASSIGNED_BACKUP} FROM responsibility_assignments a
                WHERE a.person_id = NEW.id AND a.backup_person_id IS NOT NULL) END;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER persons_effective_backup
      BEFORE INSERT OR UPDATE OF backup_person_id, effective_backup_id ON persons
      FOR EACH ROW EXECUTE FUNCTION persons_effective_backup()`);
    // One function for the three statement triggers; each names only the transition tables its operation has.
    await q.query(`CREATE FUNCTION assignments_effective_backup() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE touched uuid[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          touched := ARRAY(SELECT DISTINCT person_id FROM new_rows WHERE backup_person_id IS NOT NULL);
        ELSIF TG_OP = 'DELETE' THEN
          touched := ARRAY(SELECT DISTINCT person_id FROM old_rows WHERE backup_person_id IS NOT NULL);
        ELSE
          touched := ARRAY(SELECT person_id FROM new_rows WHERE backup_person_id IS NOT NULL
                           UNION SELECT person_id FROM old_rows WHERE backup_person_id IS NOT NULL);
        END IF;
        IF cardinality(touched) = 0 THEN
          RETURN NULL;
        END IF;
        -- Per person an index lookup each way: no join whose plan could go wrong on a freshly loaded table.
        UPDATE persons p SET effective_backup_id = (SELECT ${FIRST_ASSIGNED_BACKUP} FROM responsibility_assignments a
                                                    WHERE a.person_id = p.id AND a.backup_person_id IS NOT NULL)
        WHERE p.id = ANY (touched) AND p.backup_person_id IS NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER assignments_effective_backup_insert AFTER INSERT ON responsibility_assignments
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignments_effective_backup()`);
    await q.query(`CREATE TRIGGER assignments_effective_backup_update AFTER UPDATE ON responsibility_assignments
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION assignments_effective_backup()`);
    await q.query(`CREATE TRIGGER assignments_effective_backup_delete AFTER DELETE ON responsibility_assignments
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignments_effective_backup()`);
    await q.query(`UPDATE persons SET effective_backup_id = backup_person_id WHERE backup_person_id IS NOT NULL`);
    await q.query(`UPDATE persons p SET effective_backup_id = e.backup
      FROM (SELECT a.person_id, ${FIRST_ASSIGNED_BACKUP} AS backup FROM responsibility_assignments a
            WHERE a.backup_person_id IS NOT NULL GROUP BY a.person_id) e
      WHERE e.person_id = p.id AND p.backup_person_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER assignments_effective_backup_${op} ON responsibility_assignments`);
    }
    await q.query(`DROP FUNCTION assignments_effective_backup()`);
    await q.query(`DROP TRIGGER persons_effective_backup ON persons`);
    await q.query(`DROP FUNCTION persons_effective_backup()`);
    await q.query(`ALTER TABLE persons DROP COLUMN effective_backup_id`);
  }
}
