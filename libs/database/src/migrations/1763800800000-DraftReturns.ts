import { MigrationInterface, QueryRunner } from 'typeorm';

/** A second officer may send a draft back to its author with a comment: { by, at, comment }, cleared by the next edit. */
export class DraftReturns1763800800000 implements MigrationInterface {
  name = 'DraftReturns1763800800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE warning_drafts ADD COLUMN returned jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE warning_drafts DROP COLUMN returned`);
  }
}
