import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalations are read by call, from either end: a person's SMS lists who reported 无法履职 to them (to_task_id),
 * an answer and the desk look up a call's climbs (from_task_id). Without these indexes each such read scanned every
 * escalation of the warning: after a province-wide silent wave (223,000 rows) every SMS the dispatcher claimed did,
 * and the claim became its busiest statement.
 */
export class EscalationsByCall1763801700000 implements MigrationInterface {
  name = 'EscalationsByCall1763801700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_escalations_to_task ON escalations (to_task_id)`);
    await q.query(`CREATE INDEX idx_escalations_from_task ON escalations (from_task_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_escalations_from_task`);
    await q.query(`DROP INDEX idx_escalations_to_task`);
  }
}
