import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A warning never disappears silently: what ingest ignored (empty optional elements of real feeds) is kept as
 * notes, and a warning that matched nobody carries the flag 无匹配对象 with its reason until someone dismisses it.
 * After the first answer a person reports progress (已到岗, 已组织转移 with a head count), one row per report.
 */
export class WarningIngestFlags1763800710000 implements MigrationInterface {
  name = 'WarningIngestFlags1763800710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE warnings
      ADD COLUMN ingest_notes jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN unmatched_reason varchar(32) CHECK (unmatched_reason IN ('no_area','outside_units','no_zones_or_objects','no_persons')),
      ADD COLUMN unmatched_detail text,
      ADD COLUMN unmatched_at timestamptz,
      ADD COLUMN unmatched_dismissed_at timestamptz,
      ADD COLUMN unmatched_dismissed_by varchar(120)`);
    await q.query(`CREATE INDEX idx_warnings_unmatched_open ON warnings(unmatched_at)
      WHERE unmatched_reason IS NOT NULL AND unmatched_dismissed_at IS NULL`);
    await q.query(`CREATE TABLE call_progress (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      call_task_id uuid NOT NULL REFERENCES call_tasks(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      step varchar(16) NOT NULL CHECK (step IN ('on_post','evacuating')),
      head_count int CHECK (head_count >= 0),
      note varchar(200),
      evacuation_report_id uuid REFERENCES evacuation_reports(id),
      reported_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_call_progress_task ON call_progress(call_task_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE call_progress`);
    await q.query(`DROP INDEX idx_warnings_unmatched_open`);
    await q.query(`ALTER TABLE warnings DROP COLUMN ingest_notes, DROP COLUMN unmatched_reason, DROP COLUMN unmatched_detail,
      DROP COLUMN unmatched_at, DROP COLUMN unmatched_dismissed_at, DROP COLUMN unmatched_dismissed_by`);
  }
}
