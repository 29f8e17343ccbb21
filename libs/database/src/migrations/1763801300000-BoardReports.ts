import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The commander's reports: a 问题清单 item per repeat non-responder (one open item per person, what it rests on kept
 * in `detail`), loudspeakers placed on the map, and the daily duty report sent once per day whatever the replicas.
 */
export class BoardReports1763801300000 implements MigrationInterface {
  name = 'BoardReports1763801300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE issue_items ADD COLUMN detail jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE UNIQUE INDEX uq_issue_items_repeat_open ON issue_items(person_id)
                   WHERE kind = 'repeat_no_answer' AND state <> 'closed'`);
    await q.query(`CREATE INDEX idx_issue_items_person ON issue_items(person_id)`);
    await q.query(`ALTER TABLE broadcast_devices ADD COLUMN geom geometry(Point,4326)`);
    await q.query(`CREATE TABLE daily_reports (
      report_date date PRIMARY KEY,
      region_code varchar(12) NOT NULL,
      recipients varchar(1000) NOT NULL,
      subject varchar(300),
      claimed_at timestamptz NOT NULL,
      sent_at timestamptz)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE daily_reports`);
    await q.query(`ALTER TABLE broadcast_devices DROP COLUMN geom`);
    await q.query(`DROP INDEX idx_issue_items_person`);
    await q.query(`DROP INDEX uq_issue_items_repeat_open`);
    await q.query(`ALTER TABLE issue_items DROP COLUMN detail`);
  }
}
