import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery over every channel: attempt claims and receipts, short ack links, webhook endpoints, receipts that
 * arrived before their attempt's status write, and residents' public warnings (area SMS batches, loudspeakers).
 */
export class AddDeliveryChannels1763800200000 implements MigrationInterface {
  name = 'AddDeliveryChannels1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE attempts SET status = 'accepted' WHERE status = 'sent'`);
    await q.query(`ALTER TABLE attempts
      ADD COLUMN tries smallint NOT NULL DEFAULT 0,
      ADD COLUMN claimed_at timestamptz,
      ADD COLUMN receipt_at timestamptz,
      ADD COLUMN receipt_code varchar(64),
      ADD CONSTRAINT attempts_status_check
        CHECK (status IN ('queued','sending','accepted','delivered','failed','cancelled'))`);
    await q.query(`CREATE INDEX idx_attempts_provider_message ON attempts(provider_message_id)
      WHERE provider_message_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_attempts_receipts ON attempts(receipt_at) WHERE receipt_at IS NOT NULL`);

    await q.query(`CREATE TABLE short_links (
      code varchar(16) PRIMARY KEY,
      call_task_id uuid NOT NULL UNIQUE REFERENCES call_tasks(id) ON DELETE CASCADE,
      person_id uuid NOT NULL REFERENCES persons(id),
      created_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(64) NOT NULL UNIQUE,
      kind varchar(16) NOT NULL CHECK (kind IN ('signed','dingtalk','wecom')),
      url varchar(500) NOT NULL,
      secret varchar(200),
      organization varchar(100),
      created_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE pending_receipts (
      id bigserial PRIMARY KEY,
      provider varchar(32) NOT NULL,
      message_id varchar(200) NOT NULL,
      status varchar(16) NOT NULL CHECK (status IN ('delivered','failed')),
      code varchar(64),
      at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX idx_pending_receipts_message ON pending_receipts(provider, message_id)`);

    await q.query(`CREATE TABLE resident_phones (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      risk_zone_id uuid NOT NULL REFERENCES risk_zones(id) ON DELETE CASCADE,
      phone varchar(20) NOT NULL,
      label varchar(100),
      UNIQUE (risk_zone_id, phone))`);

    await q.query(`CREATE TABLE broadcast_devices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]+$'),
      name varchar(200) NOT NULL,
      risk_zone_id uuid REFERENCES risk_zones(id) ON DELETE SET NULL,
      admin_unit_code varchar(12) REFERENCES admin_units(code),
      active boolean NOT NULL DEFAULT true)`);
    await q.query(`CREATE INDEX idx_broadcast_devices_zone ON broadcast_devices(risk_zone_id)`);

    await q.query(`CREATE TABLE public_notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid NOT NULL REFERENCES warnings(id),
      channel varchar(16) NOT NULL CHECK (channel IN ('sms','broadcast')),
      zone_ids uuid[] NOT NULL,
      template_key varchar(80) NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      text text NOT NULL,
      recipients int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      UNIQUE (warning_id, channel))`);

    await q.query(`CREATE TABLE public_sms_batches (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      notice_id uuid NOT NULL REFERENCES public_notices(id) ON DELETE CASCADE,
      seq int NOT NULL,
      phones varchar(20)[] NOT NULL,
      status varchar(16) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','sending','accepted','failed','cancelled')),
      provider varchar(32),
      message_ids varchar(200)[] NOT NULL DEFAULT '{}',
      error varchar(500),
      tries smallint NOT NULL DEFAULT 0,
      claimed_at timestamptz,
      accepted_at timestamptz,
      delivered int NOT NULL DEFAULT 0,
      undelivered int NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (notice_id, seq))`);
    await q.query(`CREATE INDEX idx_public_sms_batches_messages ON public_sms_batches USING gin(message_ids)`);
    await q.query(
      `CREATE INDEX idx_public_sms_batches_stale ON public_sms_batches(updated_at) WHERE status IN ('queued','sending')`,
    );

    await q.query(`CREATE TABLE broadcast_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      notice_id uuid NOT NULL REFERENCES public_notices(id) ON DELETE CASCADE,
      device_id uuid NOT NULL REFERENCES broadcast_devices(id),
      status varchar(16) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','sending','published','played','failed','cancelled')),
      error varchar(500),
      tries smallint NOT NULL DEFAULT 0,
      published_at timestamptz,
      played_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (notice_id, device_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'broadcast_jobs',
      'public_sms_batches',
      'public_notices',
      'broadcast_devices',
      'resident_phones',
      'pending_receipts',
      'webhook_endpoints',
      'short_links',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX idx_attempts_receipts`);
    await q.query(`DROP INDEX idx_attempts_provider_message`);
    await q.query(`ALTER TABLE attempts DROP CONSTRAINT attempts_status_check,
      DROP COLUMN tries, DROP COLUMN claimed_at, DROP COLUMN receipt_at, DROP COLUMN receipt_code`);
    await q.query(`UPDATE attempts SET status = 'sent' WHERE status = 'accepted'`);
  }
}
