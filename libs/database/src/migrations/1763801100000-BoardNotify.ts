import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The commander's board hears what changed from the event log itself: every statement that appends events of a
 * warning sends `NOTIFY jy_board, '<warning id>:<town code>'` once per warning and town (town empty for events of the
 * warning as a whole). PostgreSQL delivers it only when the writer's transaction commits, from whichever process
 * wrote it (api, dispatcher, escalator), to every api replica listening: the board never re-reads before the change
 * is visible, and no writer needs to remember to publish.
 */
export class BoardNotify1763801100000 implements MigrationInterface {
  name = 'BoardNotify1763801100000';

  async up(q: QueryRunner): Promise<void> {
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

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER events_board_notify ON events`);
    await q.query(`DROP FUNCTION board_notify()`);
  }
}
