import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What the heartbeat reads of a source to tell whether it has been silent too long. */
export interface FeedSourceState {
  createdAt: Date;
  lastSuccessAt: Date | null;
  lastNewEntryAt: Date | null;
  lastError: string | null;
}

/** An entry of a feed's index as recorded: its outcome so far and how often its fetch was tried. */
export interface KnownFeedEntry {
  entry_key: string;
  outcome: string;
  attempts: number;
}

/** An entry fetched (or not): what came of it. */
export interface FeedEntryOutcome {
  sourceId: string;
  entryKey: string;
  capUrl: string;
  outcome: string;
  warningId: string | null;
  error: string | null;
}

/** An alarm to raise on a source: silent (no new entry) or failing (no successful poll) for too long. */
export interface NewSourceAlarm {
  sourceId: string;
  kind: 'silent' | 'failing';
  message: string;
  regionCode: string;
}

/**
 * The only writer of `feed_sources`, `feed_entries` and `source_alarms`: each CAP feed's poll record (when last
 * polled, heard from, failed), each entry of its index once with its outcome (a failed fetch tried again), and the
 * heartbeat's alarms on a source silent too long, raised once and cleared when it speaks again.
 */
@Injectable()
export class FeedsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The source's row, from the first time it is polled or checked. */
  async register(sourceId: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO feed_sources (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
      [sourceId, now],
    );
  }

  async stateOf(sourceId: string): Promise<FeedSourceState> {
    const [state] = await this.dataSource.query<FeedSourceState[]>(
      `SELECT created_at AS "createdAt", last_success_at AS "lastSuccessAt", last_new_entry_at AS "lastNewEntryAt",
              last_error AS "lastError" FROM feed_sources WHERE id = $1`,
      [sourceId],
    );
    return state;
  }

  /** The index could not be read. */
  async recordPollFailed(sourceId: string, error: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE feed_sources SET last_polled_at = $2, last_error = $3, last_error_at = $2 WHERE id = $1`,
      [sourceId, now, error.slice(0, 500)],
    );
  }

  /** The index was read; `heardNew` when it listed an entry never seen before. */
  async recordPollSucceeded(sourceId: string, heardNew: boolean, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE feed_sources SET last_polled_at = $2, last_success_at = $2,
         last_new_entry_at = CASE WHEN $3 THEN $2 ELSE last_new_entry_at END WHERE id = $1`,
      [sourceId, now, heardNew],
    );
  }

  /** Those of the keys already recorded for the source. */
  async knownEntries(sourceId: string, keys: string[]): Promise<KnownFeedEntry[]> {
    return this.dataSource.query<KnownFeedEntry[]>(
      `SELECT entry_key, outcome, attempts FROM feed_entries WHERE source_id = $1 AND entry_key = ANY($2::varchar[])`,
      [sourceId, keys],
    );
  }

  /** An entry's outcome: recorded the first time, replaced (one more attempt) when it is tried again. */
  async recordEntry(e: FeedEntryOutcome, now: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO feed_entries (source_id, entry_key, cap_url, outcome, warning_id, error, first_seen_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (source_id, entry_key) DO UPDATE SET outcome = EXCLUDED.outcome, warning_id = EXCLUDED.warning_id,
         error = EXCLUDED.error, attempts = feed_entries.attempts + 1, updated_at = EXCLUDED.updated_at`,
      [e.sourceId, e.entryKey, e.capUrl.slice(0, 1000), e.outcome, e.warningId, e.error?.slice(0, 500) ?? null, now],
    );
  }

  /** One open alarm per source and kind; returns its id, or null when one was open already. */
  async raiseAlarm(alarm: NewSourceAlarm, now: Date): Promise<string | null> {
    const [inserted] = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO source_alarms (source_id, kind, message, region_code, raised_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source_id, kind) WHERE cleared_at IS NULL DO NOTHING RETURNING id`,
      [alarm.sourceId, alarm.kind, alarm.message.slice(0, 500), alarm.regionCode, now],
    );
    return inserted?.id ?? null;
  }

  /** Clears the source's open alarms of those kinds; returns the kinds cleared. */
  async clearAlarms(sourceId: string, kinds: Array<'silent' | 'failing'>, now: Date): Promise<string[]> {
    const [cleared] = await this.dataSource.query<[Array<{ kind: string }>, number]>(
      `UPDATE source_alarms SET cleared_at = $3 WHERE source_id = $1 AND kind = ANY($2::varchar[]) AND cleared_at IS NULL
       RETURNING kind`,
      [sourceId, kinds, now],
    );
    return cleared.map((c) => c.kind);
  }
}
