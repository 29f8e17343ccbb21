import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many times a notice was claimed for sending, and when last: an SMS whose send timed out keeps its claim until
 * the carrier can say whether it took it (after a few such tries it is settled like any transient failure); the
 * claim turns stale, and a lift stops waiting for it, by when it was made.
 */
export class NoticeTries1763801400000 implements MigrationInterface {
  name = 'NoticeTries1763801400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notices ADD COLUMN tries int NOT NULL DEFAULT 0, ADD COLUMN claimed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notices DROP COLUMN tries, DROP COLUMN claimed_at`);
  }
}
