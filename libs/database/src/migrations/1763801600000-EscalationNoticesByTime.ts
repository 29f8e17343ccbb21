import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A call's first climb asks for the warning's last 督办 round before its dispatch was made (Escalator: round_base).
 * Without this index that read every notice of the warning, once per climb: at 9,000 notices, 4 ms a climb, so a
 * province-wide silent warning grew slower the further it climbed. With it, only the notices older than the dispatch.
 */
export class EscalationNoticesByTime1763801600000 implements MigrationInterface {
  name = 'EscalationNoticesByTime1763801600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX escalation_notices_warning_created ON escalation_notices (warning_id, created_at) INCLUDE (round)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX escalation_notices_warning_created`);
  }
}
