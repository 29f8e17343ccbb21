import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who-answered notices (同组已应答) leave the answer's transaction: the answer is marked `peers_due` and a job per
 * warning writes them a moment later, one notice per person for everyone of their zone who answered meanwhile.
 */
export class DeferredPeerNotices1763801160000 implements MigrationInterface {
  name = 'DeferredPeerNotices1763801160000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE acknowledgements ADD COLUMN peers_due boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX idx_acknowledgements_peers_due ON acknowledgements(acknowledged_at) WHERE peers_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE acknowledgements DROP COLUMN peers_due`);
  }
}
