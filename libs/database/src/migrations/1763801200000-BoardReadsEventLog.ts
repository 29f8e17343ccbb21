import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board reads the event log itself (EventFeed) instead of hearing a NOTIFY from every statement that appends
 * events: PostgreSQL serializes the commits of all notifying transactions behind one lock, which capped every writer
 * (answers, fan-out, escalation) at a few hundred commits a second on this hardware.
 */
export class BoardReadsEventLog1763801200000 implements MigrationInterface {
  name = 'BoardReadsEventLog1763801200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER events_board_notify ON events`);
    await q.query(`DROP FUNCTION board_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION board_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('jy_board', k.warning_id::text || ':' || k.town)
        FROM (SELECT DISTINCT n.warning_id, coalesce(left(p.admin_unit_code, 9), '') AS town
              FROM new_events n LEFT JOIN call_tasks t ON t.id = n.call_task_id LEFT JOIN persons p ON p.id = t.person_id
              WHERE n.warning_id IS NOT NULL) k;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER events_board_notify AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
      FOR EACH STATEMENT EXECUTE FUNCTION board_notify()`);
  }
}
