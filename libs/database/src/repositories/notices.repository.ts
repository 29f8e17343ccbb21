import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CarrierReceipt } from './attempts.repository';
import { chainNotStoppingSql } from './stop-barrier';

/** A notice row to write: one person, one channel, on that contact (null: the person has none, written as failed). */
export interface NewNoticeRow {
  personId: string;
  warningId: string | null;
  orderId: string | null;
  kind: string;
  dedupeKey: string;
  subject: string;
  body: string;
  channel: string;
  contactId: string | null;
  linkCode: string | null;
}

/** A notice claimed for sending, with its address and link. */
export interface ClaimedNotice {
  id: string;
  kind: string;
  channel: 'sms' | 'email';
  subject: string;
  body: string;
  person_id: string;
  contact_method_id: string;
  address: string;
  link_code: string | null;
  link_url: string | null;
  is_drill: boolean;
  created_at: Date;
  /** Claims so far, this one included. */
  tries: number;
  /** An earlier claim may have reached the carrier: taken over from a sender that died, or released after an error. */
  retaken: boolean;
}

/** A receipt matched to a notice; `applied` when it changed the notice (a repeat does not). */
export interface ReceiptedNotice {
  id: string;
  carrier: string;
  mid: string;
  status: 'delivered' | 'failed';
  code: string;
  applied: boolean;
  contact_method_id: string;
  person_id: string;
  address: string;
  channel: string;
}

/**
 * The only writer of `notices`, the outbox of notify-only messages (督办, 已由他人应答, orders, 无匹配对象 …): written
 * queued (or failed when the person has no contact), claimed, sent or released, receipted, cancelled with their
 * warning. The caller passes its transaction's manager.
 */
@Injectable()
export class NoticesRepository {
  /** One statement for the lot; a key already written on that channel writes nothing. Returns the ids queued. */
  async add(manager: EntityManager, rows: NewNoticeRow[], now: Date, noContactError: string): Promise<string[]> {
    const inserted = await manager.query<Array<{ id: string; status: string }>>(
      `INSERT INTO notices (person_id, warning_id, order_id, kind, dedupe_key, subject, body, channel, contact_method_id,
                            link_code, status, error, created_at, updated_at)
       SELECT n.person_id, n.warning_id, n.order_id, n.kind, n.dedupe_key, n.subject, n.body, n.channel, n.contact_id,
              n.link_code, CASE WHEN n.contact_id IS NULL THEN 'failed' ELSE 'queued' END,
              CASE WHEN n.contact_id IS NULL THEN $12 END, $11, $11
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[], $7::text[],
                   $8::varchar[], $9::uuid[], $10::varchar[])
         AS n(person_id, warning_id, order_id, kind, dedupe_key, subject, body, channel, contact_id, link_code)
       ON CONFLICT (dedupe_key, channel) DO NOTHING
       RETURNING id, status`,
      [
        rows.map((n) => n.personId),
        rows.map((n) => n.warningId),
        rows.map((n) => n.orderId),
        rows.map((n) => n.kind),
        rows.map((n) => n.dedupeKey),
        rows.map((n) => n.subject.slice(0, 300)),
        rows.map((n) => n.body),
        rows.map((n) => n.channel),
        rows.map((n) => n.contactId),
        rows.map((n) => n.linkCode),
        now,
        noContactError,
      ],
    );
    return inserted.filter((r) => r.status === 'queued').map((r) => r.id);
  }

  /**
   * queued → sending (or a claim older than `reclaimBefore` taken over), unless its warning's chain is being lifted.
   * Null when not claimed. `retaken` reads the row as it was when the statement began.
   */
  async claim(manager: EntityManager, id: string, now: Date, reclaimBefore: Date): Promise<ClaimedNotice | null> {
    const [n] = await manager.query<ClaimedNotice[]>(
      `WITH gate AS MATERIALIZED (
         SELECT bool_and(${chainNotStoppingSql('w.chain_id')}) AS free FROM notices x JOIN warnings w ON w.id = x.warning_id WHERE x.id = $1),
       before AS (SELECT id, status, error FROM notices WHERE id = $1),
       claimed AS (
         UPDATE notices SET status = 'sending', tries = tries + 1, claimed_at = $2, updated_at = $2
         WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND coalesce(claimed_at, updated_at) < $3)) AND coalesce((SELECT free FROM gate), true)
         RETURNING id, kind, channel, subject, body, person_id, contact_method_id, link_code, warning_id, order_id, created_at, tries)
       SELECT n.id, n.kind, n.channel, n.subject, n.body, n.person_id, n.contact_method_id, c.address, n.link_code,
              s.url AS link_url, coalesce(w.is_drill, false) AS is_drill, n.created_at, n.tries,
              (b.status = 'sending' OR b.error IS NOT NULL) AS retaken
       FROM claimed n JOIN contact_methods c ON c.id = n.contact_method_id
       LEFT JOIN short_links s ON s.code = n.link_code
       LEFT JOIN orders o ON o.id = n.order_id
       LEFT JOIN warnings w ON w.id = coalesce(n.warning_id, o.warning_id)
       JOIN before b ON b.id = n.id`,
      [id, now, reclaimBefore],
    );
    return n ?? null;
  }

  /** sending → sent or failed, with the provider's answer. */
  async finish(
    manager: EntityManager,
    id: string,
    outcome: { status: 'sent' | 'failed'; provider: string | null; messageId: string | null; error: string | null },
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE notices SET status = $2::varchar, provider = coalesce($3, provider), provider_message_id = $4, error = $5,
              sent_at = CASE WHEN $2::varchar = 'sent' THEN $6::timestamptz END, updated_at = $6
       WHERE id = $1 AND status = 'sending'`,
      [id, outcome.status, outcome.provider, outcome.messageId, outcome.error?.slice(0, 500) ?? null, now],
    );
  }

  /** sending → queued (transient failure, every provider at its TPS); the next try reuses the idempotency key. */
  async release(
    manager: EntityManager,
    id: string,
    error: string | null,
    provider: string | null,
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE notices SET status = 'queued', error = $2, provider = coalesce($3, provider), updated_at = $4 WHERE id = $1 AND status = 'sending'`,
      [id, error?.slice(0, 500) ?? null, provider, now],
    );
  }

  /**
   * A send whose outcome is unknown (no answer in time): the claim stays, so that nobody sends the notice again before
   * the claim is stale (by `claimed_at`); the next claim then asks the carrier first (`retaken`).
   */
  async keepClaim(manager: EntityManager, id: string, error: string, provider: string | null): Promise<void> {
    await manager.query(
      `UPDATE notices SET error = $2, provider = coalesce($3, provider) WHERE id = $1 AND status = 'sending'`,
      [id, error.slice(0, 500), provider],
    );
  }

  /** Receipts of notices sent by SMS: sent → delivered or failed (with the code); a repeat changes nothing. */
  async applyReceipts(manager: EntityManager, receipts: CarrierReceipt[]): Promise<ReceiptedNotice[]> {
    return manager.query(
      `WITH v AS (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[]) AS v(carrier, mid, status, code, at)),
       hit AS (
         SELECT n.id, n.status AS was, n.contact_method_id, v.* FROM notices n
         JOIN v ON n.provider_message_id = v.mid AND n.provider LIKE v.carrier || '%'),
       upd AS (
         UPDATE notices n SET status = hit.status, receipt_code = hit.code, receipt_at = hit.at, updated_at = now(),
                error = CASE WHEN hit.status = 'failed' THEN 'receipt ' || hit.code ELSE n.error END
         FROM hit WHERE n.id = hit.id AND n.status = 'sent' RETURNING n.id)
       SELECT hit.id, hit.carrier, hit.mid, hit.status, hit.code, hit.contact_method_id, c.person_id, c.address, c.channel,
              hit.was = 'sent' AS applied
       FROM hit JOIN contact_methods c ON c.id = hit.contact_method_id`,
      [
        receipts.map((r) => r.carrier),
        receipts.map((r) => r.messageId),
        receipts.map((r) => r.status),
        receipts.map((r) => r.code),
        receipts.map((r) => r.at),
      ],
    );
  }

  /**
   * The warnings' notices that have not left: queued, or claimed more than `staleSecs` ago (their sender is gone);
   * with `staleSecs` null, every claim (the chain was drained behind its stop barrier). Returns the ids cancelled.
   */
  async cancelUnsentFor(
    manager: EntityManager,
    warningIds: string[],
    why: string,
    now: Date,
    staleSecs: number | null,
  ): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE notices SET status = 'cancelled', error = $2, updated_at = $3
         WHERE warning_id = ANY($1::uuid[])
           AND (status = 'queued' OR (status = 'sending' AND ($4::float8 IS NULL OR updated_at < $3::timestamptz - make_interval(secs => $4)))) RETURNING id)
       SELECT id FROM u`,
      [warningIds, why, now, staleSecs],
    );
    return rows.map((r) => r.id);
  }

  /** Claims older than `before` whose sender never finished go back to the queue; returns how many. */
  async requeueStaleClaims(manager: EntityManager, before: Date): Promise<number> {
    const [, count] = await manager.query<[unknown, number]>(
      `UPDATE notices SET status = 'queued' WHERE status = 'sending' AND updated_at < $1`,
      [before],
    );
    return count;
  }
}
