import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A public notice to write for a warning: what residents of its zones read (area SMS) or hear (loudspeakers). */
export interface NewPublicNotice {
  warningId: string;
  zoneIds: string[];
  templateKey: string;
  params: Record<string, unknown>;
  text: string;
}

/** An area-SMS batch claimed for sending, with its notice's template and its warning's state. */
export interface ClaimedSmsBatch<Params = Record<string, unknown>> {
  phones: string[];
  tries: number;
  created_at: Date;
  template_key: string;
  params: Params;
  warning_state: string;
}

/** A loudspeaker's play order claimed for publishing, with its device, text and warning. */
export interface ClaimedBroadcast {
  code: string;
  text: string;
  warning_id: string;
  level: number | null;
  is_drill: boolean;
  warning_state: string;
}

/** How an area-SMS batch ended (or went back to the queue). */
export interface SmsBatchOutcome {
  status: string;
  provider: string | null;
  messageIds: string[];
  error: string | null;
}

/** A receipt of an area SMS, to count on its batch. */
export interface PublicSmsReceipt {
  carrier: string;
  messageId: string;
  status: string;
}

/**
 * The only writer of `public_notices`, `public_sms_batches` and `broadcast_jobs`, residents' public warnings: a notice
 * per warning and channel, its area SMS split into batches of numbers (claimed, sent, receipted) and its play orders
 * to the zones' loudspeakers (claimed, published, played). The caller passes its manager (its transaction's, where it
 * runs in one).
 */
@Injectable()
export class PublicNoticesRepository {
  /** The warning's area-SMS notice, when its zones have a resident's number; null when there is none to write. */
  async addSmsNotice(manager: EntityManager, n: NewPublicNotice, now: Date): Promise<string | null> {
    const [notice] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO public_notices (warning_id, channel, zone_ids, template_key, params, text, created_at)
       SELECT $1, 'sms', $2::uuid[], $3, $4, $5, $6
       WHERE EXISTS (SELECT 1 FROM resident_phones WHERE risk_zone_id = ANY($2::uuid[]))
       ON CONFLICT (warning_id, channel) DO NOTHING RETURNING id`,
      [n.warningId, n.zoneIds, n.templateKey, JSON.stringify(n.params), n.text, now],
    );
    return notice?.id ?? null;
  }

  /**
   * The zones' residents' numbers (each once) in batches of `batchSize`, one statement; the notice counts them.
   * Returns the batches' ids.
   */
  async addSmsBatches(
    manager: EntityManager,
    noticeId: string,
    zoneIds: string[],
    batchSize: number,
    now: Date,
  ): Promise<string[]> {
    const batches = await manager.query<Array<{ id: string; n: number }>>(
      `INSERT INTO public_sms_batches (notice_id, seq, phones, updated_at)
       SELECT $1, (rn - 1) / $3, array_agg(phone ORDER BY rn), $4 FROM (
         SELECT phone, row_number() OVER (ORDER BY phone) AS rn
         FROM (SELECT DISTINCT phone FROM resident_phones WHERE risk_zone_id = ANY($2::uuid[])) d) x
       GROUP BY (rn - 1) / $3
       RETURNING id, cardinality(phones) AS n`,
      [noticeId, zoneIds, batchSize, now],
    );
    await manager.query(`UPDATE public_notices SET recipients = $2 WHERE id = $1`, [
      noticeId,
      batches.reduce((s, b) => s + b.n, 0),
    ]);
    return batches.map((b) => b.id);
  }

  /** The warning's loudspeaker notice, when its zones have an active device; null when there is none to write. */
  async addBroadcastNotice(manager: EntityManager, n: NewPublicNotice, now: Date): Promise<string | null> {
    const [notice] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO public_notices (warning_id, channel, zone_ids, template_key, params, text, recipients, created_at)
       SELECT $1, 'broadcast', $2::uuid[], $3, $4, $5,
              (SELECT count(*) FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[])), $6
       WHERE EXISTS (SELECT 1 FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[]))
       ON CONFLICT (warning_id, channel) DO NOTHING RETURNING id`,
      [n.warningId, n.zoneIds, n.templateKey, JSON.stringify(n.params), n.text, now],
    );
    return notice?.id ?? null;
  }

  /** One play order per active loudspeaker of the zones, one statement; returns their ids. */
  async addBroadcastJobs(manager: EntityManager, noticeId: string, zoneIds: string[], now: Date): Promise<string[]> {
    const jobs = await manager.query<Array<{ id: string }>>(
      `INSERT INTO broadcast_jobs (notice_id, device_id, updated_at)
       SELECT $1, id, $3 FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[]) RETURNING id`,
      [noticeId, zoneIds, now],
    );
    return jobs.map((j) => j.id);
  }

  /** The batches (or play orders) of the warning's notice on that channel still to send. */
  async unfinished(manager: EntityManager, warningId: string, channel: 'sms' | 'broadcast'): Promise<string[]> {
    const table = channel === 'sms' ? 'public_sms_batches' : 'broadcast_jobs';
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT x.id FROM ${table} x JOIN public_notices n ON n.id = x.notice_id
       WHERE n.warning_id = $1 AND n.channel = $2 AND x.status IN ('queued', 'sending')`,
      [warningId, channel],
    );
    return rows.map((r) => r.id);
  }

  /** queued → sending (or a claim older than `reclaimBefore` taken over); null when not claimed. */
  async claimSmsBatch<Params>(
    manager: EntityManager,
    id: string,
    now: Date,
    reclaimBefore: Date,
  ): Promise<ClaimedSmsBatch<Params> | null> {
    const [b] = await manager.query<Array<ClaimedSmsBatch<Params>>>(
      `WITH claimed AS (
         UPDATE public_sms_batches SET status = 'sending', claimed_at = $2, tries = tries + 1, updated_at = $2
         WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND claimed_at < $3)) RETURNING phones, notice_id, tries)
       SELECT c.phones, c.tries, n.created_at, n.template_key, n.params, w.state AS warning_state
       FROM claimed c JOIN public_notices n ON n.id = c.notice_id JOIN warnings w ON w.id = n.warning_id`,
      [id, now, reclaimBefore],
    );
    return b ?? null;
  }

  /** A send whose outcome is unknown: the claim stays (until stale), with the error and the provider tried. */
  async keepSmsClaim(manager: EntityManager, id: string, error: string, provider: string | null): Promise<void> {
    await manager.query(
      `UPDATE public_sms_batches SET error = $2, provider = $3 WHERE id = $1 AND status = 'sending'`,
      [id, error.slice(0, 500), provider],
    );
  }

  /** accepted, failed, cancelled, or back to queued; the time of acceptance when accepted. */
  async finishSmsBatch(manager: EntityManager, id: string, o: SmsBatchOutcome, now: Date): Promise<void> {
    await manager.query(
      `UPDATE public_sms_batches SET status = $2::varchar, provider = coalesce($3, provider), message_ids = $4::varchar[],
              error = $5, accepted_at = CASE WHEN $2::varchar = 'accepted' THEN $6::timestamptz ELSE accepted_at END, updated_at = $6
       WHERE id = $1`,
      [id, o.status, o.provider, o.messageIds, o.error?.slice(0, 500) ?? null, now],
    );
  }

  /**
   * Area-SMS receipts counted on their batches (one provider message id per request, or one per number), one
   * statement; returns the receipts that belong to a batch.
   */
  async countReceipts(
    manager: EntityManager,
    receipts: PublicSmsReceipt[],
  ): Promise<Array<{ carrier: string; mid: string }>> {
    return manager.query<Array<{ carrier: string; mid: string }>>(
      `WITH v AS (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS v(carrier, mid, status)),
       hit AS (
         SELECT b.id, v.carrier, v.mid, v.status FROM public_sms_batches b
         JOIN v ON v.mid = ANY(b.message_ids) AND b.provider LIKE v.carrier || '%'
         WHERE b.message_ids && $2::varchar[]),
       upd AS (
         UPDATE public_sms_batches b SET delivered = b.delivered + x.d, undelivered = b.undelivered + x.f
         FROM (SELECT id, count(*) FILTER (WHERE status = 'delivered') AS d, count(*) FILTER (WHERE status = 'failed') AS f
               FROM hit GROUP BY id) x
         WHERE b.id = x.id)
       SELECT DISTINCT carrier, mid FROM hit`,
      [receipts.map((r) => r.carrier), receipts.map((r) => r.messageId), receipts.map((r) => r.status)],
    );
  }

  /** A play order (queued, or sending again) → sending; null when not claimed. */
  async claimBroadcast(manager: EntityManager, id: string, now: Date): Promise<ClaimedBroadcast | null> {
    const [j] = await manager.query<ClaimedBroadcast[]>(
      `WITH claimed AS (
         UPDATE broadcast_jobs SET status = 'sending', tries = tries + 1, updated_at = $2
         WHERE id = $1 AND status IN ('queued', 'sending') RETURNING notice_id, device_id)
       SELECT dv.code, n.text, w.id AS warning_id, w.level, w.is_drill, w.state AS warning_state
       FROM claimed c JOIN broadcast_devices dv ON dv.id = c.device_id JOIN public_notices n ON n.id = c.notice_id
       JOIN warnings w ON w.id = n.warning_id`,
      [id, now],
    );
    return j ?? null;
  }

  async cancelBroadcast(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE broadcast_jobs SET status = 'cancelled', updated_at = $2 WHERE id = $1`, [id, now]);
  }

  /** The play order reached the broker. */
  async markPublished(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE broadcast_jobs SET status = 'published', published_at = $2, updated_at = $2 WHERE id = $1 AND status = 'sending'`,
      [id, now],
    );
  }

  /** The device's report on a play order sent (or published): played at `at`, or failed with its error. */
  async recordPlayed(
    manager: EntityManager,
    id: string,
    status: 'played' | 'failed',
    at: Date,
    error: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE broadcast_jobs SET status = $2::varchar, played_at = CASE WHEN $2::varchar = 'played' THEN $3::timestamptz ELSE played_at END,
              error = $4, updated_at = $3 WHERE id = $1 AND status IN ('sending', 'published')`,
      [id, status, at, error?.slice(0, 500) ?? null],
    );
  }
}
