import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A 督办 round is the warning's escalation wave, not a gathering window: a call's climb to step s belongs to round
 * `first_round + s`. first_round is the round the call was made in (round_base: the climb that made it, or for a
 * dispatch's calls the warning's last round before it), +1 when its first climb came at its deadline rather than at
 * once for a person nobody can reach. One notice per person per round however long the round's checks take; checks
 * that run after the round's notice went out join it (its page) instead of opening another.
 */
export class EscalationRounds1763801150000 implements MigrationInterface {
  name = 'EscalationRounds1763801150000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS uq_escalation_notices_gathering`);
    await q.query(`ALTER TABLE call_tasks ADD COLUMN round_base smallint, ADD COLUMN first_round smallint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE call_tasks DROP COLUMN first_round, DROP COLUMN round_base`);
    await q.query(
      `CREATE UNIQUE INDEX uq_escalation_notices_gathering ON escalation_notices(warning_id, person_id) WHERE sent_at IS NULL`,
    );
  }
}
