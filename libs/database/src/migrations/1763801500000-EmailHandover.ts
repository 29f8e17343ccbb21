import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an email was handed over: written right before the final "." of SMTP DATA, the one moment after which the
 * server may have taken it. SMTP has no way to ask afterwards; a claim taken again after a crash reads this mark:
 * empty, the server never saw the end of the email; set, it may have, and a resend may be a second copy (counted).
 */
export class EmailHandover1763801500000 implements MigrationInterface {
  name = 'EmailHandover1763801500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attempts ADD COLUMN handed_over_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attempts DROP COLUMN handed_over_at`);
  }
}
