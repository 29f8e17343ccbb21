import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One county's share of a dispatch's matched targets (zones, objects, units), matched by one chunk job. */
export interface MatchChunk<T = unknown> {
  county: string;
  targets: T;
}

/**
 * The only writer of `dispatches`: the plan of one warning version (the response spec it runs under and how many
 * people it calls), which its call tasks belong to; and of `match_chunks`, the counties a dispatch is matched in.
 */
@Injectable()
export class DispatchesRepository {
  /** Returns the new dispatch's id. */
  async create(manager: EntityManager, warningId: string, spec: unknown, recipientCount: number): Promise<string> {
    const [dispatch] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO dispatches (warning_id, spec, recipient_count) VALUES ($1, $2, $3) RETURNING id`,
      [warningId, JSON.stringify(spec), recipientCount],
    );
    return dispatch.id;
  }

  /** The warning's dispatch and the spec it runs under (as frozen when it was made). */
  async ofWarning<S>(manager: EntityManager, warningId: string): Promise<{ id: string; spec: S } | null> {
    const [row] = await manager.query<Array<{ id: string; spec: S }>>(
      `SELECT id, spec FROM dispatches WHERE warning_id = $1 ORDER BY created_at LIMIT 1`,
      [warningId],
    );
    return row ?? null;
  }

  async createChunks(manager: EntityManager, dispatchId: string, chunks: MatchChunk[]): Promise<void> {
    await manager.query(
      `INSERT INTO match_chunks (dispatch_id, county, targets)
       SELECT $1, c.county, c.targets FROM unnest($2::varchar[], $3::jsonb[]) AS c(county, targets)`,
      [dispatchId, chunks.map((c) => c.county), chunks.map((c) => JSON.stringify(c.targets))],
    );
  }

  /**
   * Every chunk of the dispatch, with `open` false for those done; the one being matched is locked first, so a second
   * run of the same chunk waits here and then finds it done.
   */
  async lockChunk<T>(
    manager: EntityManager,
    dispatchId: string,
    county: string,
  ): Promise<{ open: boolean; all: MatchChunk<T>[] }> {
    const mine = await manager.query<Array<{ done: boolean }>>(
      `SELECT done_at IS NOT NULL AS done FROM match_chunks WHERE dispatch_id = $1 AND county = $2 FOR UPDATE`,
      [dispatchId, county],
    );
    if (mine.length === 0 || mine[0].done) {
      return { open: false, all: [] };
    }
    const all = await manager.query<MatchChunk<T>[]>(
      `SELECT county, targets FROM match_chunks WHERE dispatch_id = $1 ORDER BY county`,
      [dispatchId],
    );
    return { open: true, all };
  }

  /**
   * Marks the chunk done with its number of people. The dispatch row is locked before the others are counted, so of
   * two last chunks committing together the second sees the first done: exactly one finds itself last. FOR NO KEY
   * UPDATE, not FOR UPDATE: every call inserted into the dispatch holds a key-share lock on its row until commit, and
   * FOR UPDATE waited for all of them (chunks, escalations) and deadlocked two chunks each holding one. Returns the
   * dispatch's total recipients when this chunk was the last, else null.
   */
  async completeChunk(
    manager: EntityManager,
    dispatchId: string,
    county: string,
    recipients: number,
    now: Date,
  ): Promise<number | null> {
    await manager.query(
      `UPDATE match_chunks SET done_at = $3, recipients = $4 WHERE dispatch_id = $1 AND county = $2`,
      [dispatchId, county, now, recipients],
    );
    await manager.query(`SELECT 1 FROM dispatches WHERE id = $1 FOR NO KEY UPDATE`, [dispatchId]);
    const [left] = await manager.query<Array<{ open: number; total: number }>>(
      `SELECT count(*) FILTER (WHERE done_at IS NULL)::int AS open, coalesce(sum(recipients), 0)::int AS total
       FROM match_chunks WHERE dispatch_id = $1`,
      [dispatchId],
    );
    if (left.open > 0) {
      return null;
    }
    await manager.query(`UPDATE dispatches SET recipient_count = $2 WHERE id = $1`, [dispatchId, left.total]);
    return left.total;
  }

  /** Chunks made before `before` and still not done, of warnings still live: their jobs may be lost. */
  async openChunks(
    manager: EntityManager,
    before: Date,
  ): Promise<Array<{ warningId: string; county: string; level: number | null }>> {
    return manager.query(
      `SELECT d.warning_id AS "warningId", c.county, w.level
       FROM match_chunks c JOIN dispatches d ON d.id = c.dispatch_id JOIN warnings w ON w.id = d.warning_id
       WHERE c.done_at IS NULL AND c.created_at < $1 AND w.state = 'tracking' LIMIT 1000`,
      [before],
    );
  }
}
