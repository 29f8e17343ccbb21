import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices by SMS as well as email: one row per notice and channel (the dedupe key is unique per channel), the
 * provider and message id an SMS went out under and its carrier receipt, and the short link (/a/<code>) an SMS
 * carries instead of the long signed one. A short link now points at a call (its ack page, signed when opened)
 * or at a stored URL (a notice's link).
 */
export class NoticeChannels1763800600000 implements MigrationInterface {
  name = 'NoticeChannels1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE short_links ALTER COLUMN call_task_id DROP NOT NULL, ADD COLUMN url varchar(1000),
      ADD CONSTRAINT short_links_target CHECK ((call_task_id IS NULL) <> (url IS NULL))`);
    await q.query(`ALTER TABLE notices DROP CONSTRAINT notices_dedupe_key_key,
      ADD CONSTRAINT notices_dedupe_key_channel_key UNIQUE (dedupe_key, channel),
      ADD CONSTRAINT notices_channel_check CHECK (channel IN ('sms','email')),
      ADD COLUMN link_code varchar(16) REFERENCES short_links(code),
      ADD COLUMN provider varchar(32),
      ADD COLUMN provider_message_id varchar(200),
      ADD COLUMN receipt_code varchar(40),
      ADD COLUMN receipt_at timestamptz`);
    await q.query(
      `CREATE INDEX idx_notices_provider_message ON notices(provider_message_id) WHERE provider_message_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one row per notice: the email copy stays where there is one.
    await q.query(`DELETE FROM notices n WHERE EXISTS (
      SELECT 1 FROM notices o WHERE o.dedupe_key = n.dedupe_key AND o.id <> n.id AND (o.channel = 'email') > (n.channel = 'email'))`);
    await q.query(`DROP INDEX idx_notices_provider_message`);
    await q.query(`ALTER TABLE notices DROP CONSTRAINT notices_dedupe_key_channel_key, DROP CONSTRAINT notices_channel_check,
      DROP COLUMN link_code, DROP COLUMN provider, DROP COLUMN provider_message_id, DROP COLUMN receipt_code,
      DROP COLUMN receipt_at, ADD CONSTRAINT notices_dedupe_key_key UNIQUE (dedupe_key)`);
    await q.query(`DELETE FROM short_links WHERE call_task_id IS NULL`);
    await q.query(`ALTER TABLE short_links DROP CONSTRAINT short_links_target, DROP COLUMN url,
      ALTER COLUMN call_task_id SET NOT NULL`);
  }
}
