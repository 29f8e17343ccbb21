import { DataSource } from 'typeorm';

/**
 * Where a reader of the event log stands: the snapshot of its last read. Every transaction below `xmax` and not in
 * `xip` had ended by then, so its events were in that read; only the others can still add events.
 */
export interface FeedCursor {
  xmax: string;
  xip: string[];
}

/** A warning whose events changed, and the town (乡镇 code) of the call they concern ('' for the warning as a whole). */
export interface FeedTouch {
  warning: string;
  town: string;
}

/**
 * Reads what the event log gained since a cursor, each committed event exactly once, in one statement and without
 * anything in the writers' path: a writer's NOTIFY would serialize every writer's commit behind one lock. An event
 * becomes readable when its transaction commits, whatever order the transactions began in.
 */
export class EventFeed {
  constructor(private readonly dataSource: DataSource) {}

  /** Where the log stands now: a reader starting here hears only what commits from now on. */
  async now(): Promise<FeedCursor> {
    const [row] = await this.dataSource.query<Array<{ xmax: string; xip: string[] }>>(
      `SELECT pg_snapshot_xmax(s)::text AS xmax, array(SELECT pg_snapshot_xip(s)::text) AS xip FROM pg_current_snapshot() s`,
    );
    return { xmax: row.xmax, xip: row.xip ?? [] };
  }

  /** The warnings and towns touched by events committed since `from`, and the cursor to read from next. */
  async since(from: FeedCursor): Promise<{ touches: FeedTouch[]; next: FeedCursor }> {
    const [row] = await this.dataSource.query<Array<{ xmax: string; xip: string[]; touches: FeedTouch[] }>>(
      `WITH snap AS (SELECT pg_current_snapshot() AS s),
       touched AS (
         SELECT DISTINCT e.warning_id::text AS warning, coalesce(left(p.admin_unit_code, 9), '') AS town
         FROM events e
         LEFT JOIN call_tasks t ON t.id = e.call_task_id
         LEFT JOIN persons p ON p.id = t.person_id
         WHERE e.warning_id IS NOT NULL AND (e.tx >= $1::xid8 OR e.tx = ANY($2::xid8[])))
       SELECT pg_snapshot_xmax(s)::text AS xmax, array(SELECT pg_snapshot_xip(s)::text) AS xip,
              (SELECT coalesce(json_agg(touched), '[]'::json) FROM touched) AS touches
       FROM snap`,
      [from.xmax, from.xip],
    );
    return { touches: row.touches, next: { xmax: row.xmax, xip: row.xip ?? [] } };
  }
}
