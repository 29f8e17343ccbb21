import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the event log tamper-evident (the 叫应 log is evidence for after-action review and accountability). Each event is sealed after its
 * transaction has ended into `event_seals`, a hash chain in sealing order: chain = sha256(previous chain | seq |
 * event id | event hash). Chaining at insert time would need one lock across every writer (it deadlocked under
 * concurrent escalations); sealing afterwards needs none. `tx` (the inserting transaction) tells which events are
 * final: every transaction older than the oldest one still running has ended.
 *
 * The content hash is now computed by one function, with the time in UTC so that a reader in another time zone
 * recomputes the same text; existing rows are re-hashed with it.
 */
export class ChainEvents1763800500000 implements MigrationInterface {
  name = 'ChainEvents1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION event_content_hash(e events) RETURNS char(64) LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(digest(e.id::text || '|' || coalesce(e.warning_id::text, '') || '|' || coalesce(e.call_task_id::text, '') || '|' ||
        e.type || '|' || e.actor || '|' || e.data::text || '|' || to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'sha256'), 'hex') $$`);
    await q.query(`CREATE OR REPLACE FUNCTION events_hash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.hash := event_content_hash(NEW); RETURN NEW; END $$`);
    await q.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
    await q.query(`UPDATE events SET hash = event_content_hash(events)`);
    await q.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);
    await q.query(`ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX idx_events_tx ON events(tx, id)`);

    await q.query(`CREATE TABLE event_seals (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      event_id bigint NOT NULL UNIQUE REFERENCES events(id),
      chain char(64) NOT NULL,
      sealed_at timestamptz NOT NULL)`);
    await q.query(`CREATE TRIGGER event_seals_append_only BEFORE UPDATE OR DELETE ON event_seals
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
    // One row: every event of a transaction older than \`below\` is sealed; the chain's head.
    await q.query(`CREATE TABLE event_seal_state (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      below xid8 NOT NULL,
      last_seq bigint NOT NULL,
      last_chain char(64) NOT NULL)`);
    await q.query(`INSERT INTO event_seal_state (below, last_seq, last_chain) VALUES ('0', 0, repeat('0', 64))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_seal_state`);
    await q.query(`DROP TABLE event_seals`);
    await q.query(`DROP INDEX idx_events_tx`);
    await q.query(`ALTER TABLE events DROP COLUMN tx`);
    await q.query(`CREATE OR REPLACE FUNCTION events_hash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.hash := encode(digest(NEW.id::text || '|' || coalesce(NEW.warning_id::text, '') || '|' ||
          coalesce(NEW.call_task_id::text, '') || '|' || NEW.type || '|' || NEW.actor || '|' || NEW.data::text || '|' ||
          NEW.at::text, 'sha256'), 'hex');
        RETURN NEW;
      END $$`);
    await q.query(`DROP FUNCTION event_content_hash(events)`);
  }
}
