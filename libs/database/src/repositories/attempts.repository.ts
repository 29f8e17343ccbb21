import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CallReason } from '../entities';
import { callReasonsSql } from './call-reasons.sql';
import { versionChangeSql, type VersionChange } from './version-change.sql';

/** An attempt claimed for sending, with everything any channel needs to say. */
export interface ClaimedAttempt {
  id: string;
  call_task_id: string;
  channel: string;
  idempotency_key: string;
  contact_method_id: string;
  rung: number;
  /** Claims of this attempt so far, this one included: above 1, an earlier one may have reached the provider. */
  tries: number;
  created_at: Date;
  /** When this claim was made: the sender may start the provider call only within its lease (DispatchService). */
  claimed_at: Date;
  /** Email: an earlier claim reached the final "." of DATA (the server may have the message). */
  handed_over_at: Date | null;
  address: string;
  task_state: string;
  person_id: string;
  person_name: string;
  reasons: CallReason[];
  deadline_at: Date | null;
  requires_ack: boolean;
  warning_id: string;
  hazard_type: string;
  level: number | null;
  headline: string;
  /** What this version changed (升级 / 降级 / 范围调整 / 更新 / 解除); null for a first version. */
  change: VersionChange | null;
  event: string;
  instruction: string;
  area_desc: string;
  is_drill: boolean;
  expires_at: Date | null;
  short_code: string;
}

export type AttemptOutcome = 'accepted' | 'delivered' | 'failed' | 'cancelled';

/** A provider's answer about one attempt. */
export interface AttemptOutcomeRow {
  id: string;
  status: AttemptOutcome;
  provider: string | null;
  messageId: string | null;
  error: string | null;
  /** When the provider answered (not when the batch is written). */
  at: Date;
}

/** A delivery receipt or call result, whatever the provider's format. `carrier` prefixes our provider names. */
export interface CarrierReceipt {
  carrier: string;
  messageId: string;
  status: 'delivered' | 'failed';
  code: string;
  at: Date;
}

/** An attempt a receipt was applied to, with its call and contact. */
export interface ReceiptedAttempt {
  id: string;
  call_task_id: string;
  channel: string;
  provider: string;
  warning_id: string;
  contact_method_id: string;
  person_id: string;
  address: string;
  status: 'delivered' | 'failed';
  code: string;
  carrier: string;
  provider_message_id: string;
}

/** What a reminder says first: 第n次提醒（已超时m分钟）. $2 is now. */
const reminderPrefixSql = (
  rungBase: number,
) => `CASE WHEN a.rung > ${rungBase} THEN '第' || (a.rung - ${rungBase}) || '次提醒（已超时'
  || greatest(1, round(extract(epoch FROM ($2::timestamptz - t.overdue_since)) / 60))::int || '分钟）' ELSE '' END`;

/**
 * The only writer of `attempts`: one message of a call on one channel, from queued through sending to its
 * provider's answer and receipt. Every statement is set-based; the caller passes its transaction's manager.
 */
@Injectable()
export class AttemptsRepository {
  /** One attempt per call per channel that has a valid contact (the person's first by priority), idempotent per rung. */
  async createForCalls(
    manager: EntityManager,
    callTaskIds: string[],
    rung: number,
    channels: string[],
  ): Promise<Array<{ id: string; channel: string }>> {
    return manager.query(
      `INSERT INTO attempts (call_task_id, channel, contact_method_id, rung, idempotency_key)
       SELECT DISTINCT ON (t.id, c.channel) t.id, c.channel, c.id, $2::smallint, t.id || '-r' || $2 || '-' || c.channel
       FROM call_tasks t JOIN contact_methods c ON c.person_id = t.person_id
       WHERE t.id = ANY($1::uuid[]) AND c.channel = ANY($3::varchar[]) AND c.invalid_at IS NULL
       ORDER BY t.id, c.channel, c.priority
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, channel`,
      [callTaskIds, rung, channels],
    );
  }

  /**
   * queued → sending for those of `ids` that are queued, or claimed before `reclaimBefore` (an abandoned claim), with
   * what their message says. Rungs above `reminderRungBase` are reminders and say so first.
   */
  async claim(
    manager: EntityManager,
    ids: string[],
    at: { now: Date; reclaimBefore: Date },
    reminderRungBase: number,
  ): Promise<Array<Omit<ClaimedAttempt, 'short_code'>>> {
    return manager.query(
      `WITH claimed AS (
         UPDATE attempts SET status = 'sending', claimed_at = $2, tries = tries + 1, updated_at = $2
         WHERE id = ANY($1::uuid[]) AND (status = 'queued' OR (status = 'sending' AND claimed_at < $3))
         RETURNING id, call_task_id, channel, idempotency_key, contact_method_id, rung, tries, created_at, claimed_at,
                   handed_over_at)
       SELECT a.*, c.address, t.state AS task_state, t.person_id, ${callReasonsSql('t')} AS reasons, t.deadline_at,
              t.requires_ack, p.name AS person_name, w.id AS warning_id, w.hazard_type, w.level, w.event,
              ${reminderPrefixSql(reminderRungBase)} || w.headline AS headline,
              w.instruction, w.area_desc, w.is_drill, w.expires_at, ${versionChangeSql('w')} AS change
       FROM claimed a JOIN contact_methods c ON c.id = a.contact_method_id JOIN call_tasks t ON t.id = a.call_task_id
       JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id`,
      [ids, at.now, at.reclaimBefore],
    );
  }

  /**
   * sending → queued (transient failure, rate limit); the next try reuses the idempotency key. An email's hand-over
   * mark stays: an earlier claim may have reached the server, whatever this one heard.
   */
  async release(
    manager: EntityManager,
    id: string,
    error: string | null,
    provider: string | null,
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE attempts SET status = 'queued', error = $2, provider = coalesce($3, provider), updated_at = $4
       WHERE id = $1 AND status = 'sending'`,
      [id, error?.slice(0, 500) ?? null, provider, now],
    );
  }

  /**
   * An email about to be handed over (the final "." of DATA next): marked, if this claim still holds it (the first
   * mark stays, so a resend after a crash still shows it). False when the claim was lost (taken as stale, cancelled):
   * then the email must not be completed.
   */
  async markHandedOver(manager: EntityManager, id: string, claimedAt: Date, now: Date): Promise<boolean> {
    const [, count] = await manager.query<[unknown, number]>(
      `UPDATE attempts SET handed_over_at = coalesce(handed_over_at, $3) WHERE id = $1 AND status = 'sending' AND claimed_at = $2`,
      [id, claimedAt, now],
    );
    return count === 1;
  }

  /** The provider may have taken it: the claim stays 'sending' (until stale), with why noted. */
  async keepClaim(manager: EntityManager, id: string, error: string, provider: string | null): Promise<void> {
    await manager.query(
      `UPDATE attempts SET error = $2, provider = coalesce($3, provider) WHERE id = $1 AND status = 'sending'`,
      [id, error.slice(0, 500), provider],
    );
  }

  /** Of `ids`, those not yet final (queued or sending). */
  async notFinal(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT id FROM attempts WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'sending')`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The providers' answers, one statement for the batch; an attempt already final is left alone. Returns the ids it
   * changed, so that the caller records what follows (events, the call sent) only for those.
   */
  async recordOutcomes(manager: EntityManager, outcomes: AttemptOutcomeRow[], now: Date): Promise<Set<string>> {
    const rows = await manager.query<Array<{ id: string }>>(
      // In a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of rows.
      `WITH u AS (UPDATE attempts a SET status = v.status, provider = coalesce(v.provider, a.provider),
              provider_message_id = coalesce(v.mid, a.provider_message_id), error = v.error,
              sent_at = CASE WHEN v.status IN ('accepted', 'delivered') THEN v.at ELSE a.sent_at END,
              receipt_at = CASE WHEN v.status = 'delivered' THEN v.at ELSE a.receipt_at END,
              updated_at = $7::timestamptz
       FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $8::timestamptz[])
         AS v(id, status, provider, mid, error, at)
       WHERE a.id = v.id AND a.status = ANY($6::varchar[]) RETURNING a.id)
       SELECT id FROM u`,
      [
        outcomes.map((u) => u.id),
        outcomes.map((u) => u.status),
        outcomes.map((u) => u.provider),
        outcomes.map((u) => u.messageId),
        outcomes.map((u) => u.error?.slice(0, 500) ?? null),
        ['sending', 'queued'],
        now,
        outcomes.map((u) => u.at),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Receipts for accepted attempts (matched by carrier and message id): delivered or failed. */
  async applyReceipts(manager: EntityManager, receipts: CarrierReceipt[]): Promise<ReceiptedAttempt[]> {
    return manager.query(
      // In a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of rows.
      `WITH u AS (UPDATE attempts a SET status = v.status, receipt_at = v.at, receipt_code = v.code,
              error = CASE WHEN v.status = 'failed' THEN 'receipt ' || v.code ELSE a.error END, updated_at = now()
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[]) AS v(carrier, mid, status, code, at),
            contact_methods c, call_tasks t
       WHERE a.provider_message_id = v.mid AND a.provider LIKE v.carrier || '%' AND a.status = 'accepted'
         AND c.id = a.contact_method_id AND t.id = a.call_task_id
       RETURNING a.id, a.call_task_id, a.channel, a.provider, t.warning_id, a.contact_method_id, c.person_id, c.address,
                 v.status, v.code, v.carrier, a.provider_message_id)
       SELECT * FROM u`,
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
   * The warnings' messages that have not left: queued, or claimed more than `staleSecs` ago (a live sender gives
   * up at the provider timeout, so such a claim's sender is gone); with `staleSecs` null, every claim (the caller has
   * drained the chain behind its stop barrier: what is still claimed, nobody is sending). Returns the ids cancelled.
   */
  async cancelUnsentFor(
    manager: EntityManager,
    warningIds: string[],
    why: string,
    now: Date,
    staleSecs: number | null,
  ): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE attempts SET status = 'cancelled', error = $2, updated_at = $3
         WHERE (status = 'queued' OR (status = 'sending' AND ($4::float8 IS NULL OR updated_at < $3::timestamptz - make_interval(secs => $4))))
           AND call_task_id IN (SELECT id FROM call_tasks WHERE warning_id = ANY($1::uuid[])) RETURNING id)
       SELECT id FROM u`,
      [warningIds, why, now, staleSecs],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Claims older than `before` whose sender never finished go back to the queue; returns how many. A claim locked
   * right now is being written by its sender and is passed over (a later sweep sees it if it is still stale): waiting
   * for it, the sweep deadlocked with a batch of outcomes that locked the same claims in another order.
   */
  async requeueStaleClaims(manager: EntityManager, before: Date): Promise<number> {
    const [, count] = await manager.query<[unknown, number]>(
      `UPDATE attempts a SET status = 'queued'
       FROM (SELECT id FROM attempts WHERE status = 'sending' AND updated_at < $1 ORDER BY id FOR NO KEY UPDATE SKIP LOCKED) s
       WHERE a.id = s.id`,
      [before],
    );
    return count;
  }
}

/**
 * For the one statement that records first answers: a CTE body cancelling the answered calls' queued attempts.
 * `input` names the statement's CTE of answers, with columns `task_id` and `at`. The status is tested `IS TRUE` so
 * that the planner reads each call's few attempts by idx_attempts_task: with a plain `status = 'queued'` it also
 * scanned the partial idx_attempts_stale, which after a fan-out holds thousands of entries until vacuum (8,000 per
 * batch of answers, measured on the answer benchmark's database).
 */
export const cancelQueuedForCallsSql = (input: string): string =>
  `UPDATE attempts a SET status = 'cancelled', updated_at = ${input}.at FROM ${input} WHERE a.call_task_id = ${input}.task_id AND (a.status = 'queued') IS TRUE`;
