import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';

/** Events sealed per transaction of the sealer; a run loops until nothing final is left. */
const SEAL_BATCH = 5_000;
const VERIFY_BATCH = 10_000;
const SEALER_LOCK = 'jiaoying:event-seal';

/** The chain link of one sealed event (the migration 1763800500000 says why sealing comes after commit). */
function chainLink(previous: string, seq: number, eventId: string, eventHash: string): string {
  return createHash('sha256').update(`${previous}|${seq}|${eventId}|${eventHash}`).digest('hex');
}

export interface ChainReport {
  sealed: number;
  /** Events whose transaction has ended but which are not sealed yet (the sealer runs every few seconds). */
  unsealed: number;
  intact: boolean;
  /** The first link that does not hold, and why: content changed, event missing, sequence gap, chain mismatch. */
  broken: { seq: number; eventId: string | null; reason: 'content' | 'missing_event' | 'gap' | 'chain' } | null;
}

/**
 * Seals the append-only event log into a hash chain after each event's transaction has ended, and verifies it.
 * An event changed, removed or re-ordered after sealing breaks the chain from that link on.
 */
@Injectable()
export class EventChain {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Seals every event whose transaction has ended; returns how many. One sealer at a time (advisory lock). */
  async seal(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sealBatch();
      total += Math.max(n, 0);
      if (n < SEAL_BATCH) {
        return total;
      }
    }
  }

  async verify(): Promise<ChainReport> {
    let previous = '0'.repeat(64);
    let expected = 1;
    for (;;) {
      const rows = await this.dataSource.query<
        Array<{ seq: string; event_id: string; chain: string; hash: string | null; content_ok: boolean | null }>
      >(
        `SELECT s.seq, s.event_id, s.chain, e.hash, e.hash = event_content_hash(e) AS content_ok
         FROM event_seals s LEFT JOIN events e ON e.id = s.event_id WHERE s.seq >= $1 ORDER BY s.seq LIMIT $2`,
        [expected, VERIFY_BATCH],
      );
      for (const r of rows) {
        const seq = Number(r.seq);
        const broken = (reason: NonNullable<ChainReport['broken']>['reason']) =>
          this.report(expected - 1, false, { seq, eventId: r.event_id, reason });
        if (seq !== expected) {
          return broken('gap');
        }
        if (r.hash === null) {
          return broken('missing_event');
        }
        if (!r.content_ok) {
          return broken('content');
        }
        const link = chainLink(previous, seq, r.event_id, r.hash);
        if (link !== r.chain) {
          return broken('chain');
        }
        previous = link;
        expected++;
      }
      if (rows.length < VERIFY_BATCH) {
        const [state] = await this.dataSource.query<Array<{ last_seq: string; last_chain: string }>>(
          `SELECT last_seq, last_chain FROM event_seal_state`,
        );
        // The head kept beside the chain must be where the chain ends (seals cut off at the end would show here).
        const headOk = Number(state.last_seq) === expected - 1 && state.last_chain === previous;
        return this.report(
          expected - 1,
          headOk,
          headOk ? null : { seq: Number(state.last_seq), eventId: null, reason: 'gap' },
        );
      }
    }
  }

  private async report(sealed: number, intact: boolean, broken: ChainReport['broken']): Promise<ChainReport> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM events e WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
         AND NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)`,
    );
    return { sealed, unsealed: n, intact, broken };
  }

  /** -1 when another sealer holds the lock. */
  private async sealBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<Array<{ locked: boolean }>>(
        `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
        [SEALER_LOCK],
      );
      if (!locked) {
        return -1;
      }
      const [state] = await tx.query<Array<{ below: string; last_seq: string; last_chain: string; horizon: string }>>(
        `SELECT below::text, last_seq, last_chain, pg_snapshot_xmin(pg_current_snapshot())::text AS horizon FROM event_seal_state FOR UPDATE`,
      );
      // Every transaction older than the horizon has ended: its events are final and none can appear later.
      const rows = await tx.query<Array<{ id: string; hash: string }>>(
        `SELECT e.id, e.hash FROM events e
         WHERE e.tx >= $1::xid8 AND e.tx < $2::xid8 AND NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)
         ORDER BY e.tx, e.id LIMIT $3`,
        [state.below, state.horizon, SEAL_BATCH],
      );
      let previous = state.last_chain;
      let seq = Number(state.last_seq);
      const seals = rows.map((r) => {
        seq++;
        previous = chainLink(previous, seq, r.id, r.hash);
        return { seq, eventId: r.id, chain: previous };
      });
      if (seals.length > 0) {
        await tx.query(
          `INSERT INTO event_seals (seq, event_id, chain, sealed_at) SELECT *, $4::timestamptz FROM unnest($1::bigint[], $2::bigint[], $3::char(64)[])`,
          [seals.map((s) => s.seq), seals.map((s) => s.eventId), seals.map((s) => s.chain), this.clock.now()],
        );
      }
      await tx.query(`UPDATE event_seal_state SET below = $1::xid8, last_seq = $2, last_chain = $3`, [
        rows.length < SEAL_BATCH ? state.horizon : state.below,
        seq,
        previous,
      ]);
      return rows.length;
    });
  }
}
