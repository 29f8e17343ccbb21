import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A warning whose area spans several counties is matched county by county: one row per county of its dispatch, with
 * the targets found there. A chunk commits its calls and sets done_at in one transaction, so a chunk run twice finds
 * itself done; the sweep re-runs the chunks of a dispatch still without done_at.
 */
export class MatchChunks1763801800000 implements MigrationInterface {
  name = 'MatchChunks1763801800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE match_chunks (
      dispatch_id uuid NOT NULL REFERENCES dispatches(id) ON DELETE CASCADE,
      county varchar(12) NOT NULL,
      targets jsonb NOT NULL,
      recipients integer,
      done_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (dispatch_id, county))`);
    await q.query(`CREATE INDEX idx_match_chunks_open ON match_chunks (created_at) WHERE done_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE match_chunks`);
  }
}
