import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 督办 as its own record: one escalation notice per person per round per warning, listing the silent calls it is
 * about (gathered while the round's deadline checks run, sent once), and its answers as their own 履职记录.
 * Call tasks learn when they became overdue, how many reminders went out and when the next is due, and when the
 * duty desk was asked to phone the person (电话叫应) because the chain above stayed silent up to its top.
 */
export class EscalationNotices1763800900000 implements MigrationInterface {
  name = 'EscalationNotices1763800900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE escalation_notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid NOT NULL REFERENCES warnings(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      round smallint NOT NULL,
      top boolean NOT NULL DEFAULT false,
      deadline_at timestamptz,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (warning_id, person_id, round))`);
    // While a round gathers there is one open notice per person and warning: every path reaching them joins it.
    await q.query(
      `CREATE UNIQUE INDEX uq_escalation_notices_gathering ON escalation_notices(warning_id, person_id) WHERE sent_at IS NULL`,
    );
    // The silent calls a notice is about, added row by row (no hot notice row while thousands of checks run).
    await q.query(`CREATE TABLE escalation_notice_items (
      notice_id uuid NOT NULL REFERENCES escalation_notices(id),
      call_task_id uuid NOT NULL REFERENCES call_tasks(id),
      added_at timestamptz NOT NULL,
      PRIMARY KEY (notice_id, call_task_id))`);
    await q.query(`CREATE INDEX idx_escalation_notice_items_task ON escalation_notice_items(call_task_id)`);
    await q.query(`CREATE TABLE escalation_answers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      notice_id uuid NOT NULL REFERENCES escalation_notices(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      response varchar(16) NOT NULL CHECK (response IN ('received','contacted','dispatched')),
      call_task_ids uuid[] NOT NULL DEFAULT '{}',
      note varchar(500),
      who varchar(200),
      eta varchar(100),
      at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_escalation_answers_notice ON escalation_answers(notice_id)`);
    await q.query(`ALTER TABLE call_tasks ADD COLUMN overdue_since timestamptz, ADD COLUMN reminders smallint NOT NULL DEFAULT 0,
      ADD COLUMN reminder_due_at timestamptz, ADD COLUMN manual_call_at timestamptz`);
    await q.query(
      `CREATE INDEX idx_call_tasks_reminder_due ON call_tasks(reminder_due_at) WHERE reminder_due_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_call_tasks_reminder_due`);
    await q.query(
      `ALTER TABLE call_tasks DROP COLUMN overdue_since, DROP COLUMN reminders, DROP COLUMN reminder_due_at, DROP COLUMN manual_call_at`,
    );
    await q.query(`DROP TABLE escalation_answers`);
    await q.query(`DROP TABLE escalation_notice_items`);
    await q.query(`DROP TABLE escalation_notices`);
  }
}
