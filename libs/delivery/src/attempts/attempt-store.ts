import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, shortCode } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { CallReason } from '@app/database';
import { callReasonsSql, EventLog } from '@app/database';
import { MicroBatcher } from './micro-batcher';

/** An attempt claimed for sending, with everything any channel needs to say. */
export interface ClaimedAttempt {
  id: string;
  call_task_id: string;
  channel: string;
  idempotency_key: string;
  contact_method_id: string;
  rung: number;
  tries: number;
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
  event: string;
  instruction: string;
  area_desc: string;
  is_drill: boolean;
  expires_at: Date | null;
  short_code: string;
}

export type FinalStatus = 'accepted' | 'delivered' | 'failed' | 'cancelled';

export interface StatusUpdate {
  attempt: Pick<ClaimedAttempt, 'id' | 'call_task_id' | 'warning_id' | 'channel'>;
  status: FinalStatus;
  provider: string | null;
  messageId: string | null;
  error: string | null;
  /** When the provider answered (not when the batch is written). */
  at: Date;
}

const EVENT_TYPE: Record<FinalStatus, string> = {
  accepted: 'MessageSent',
  delivered: 'MessageSent',
  failed: 'MessageFailed',
  cancelled: 'MessageCancelled',
};

/**
 * Attempt rows in PostgreSQL, written in batches: claims (queued → sending) every few ms and final statuses
 * every 50 ms or 500 rows, each in one statement (PERFORMANCE.md B9). A caller's promise resolves only once its
 * row is written, so a job never completes before its status is durable: a crash in between leaves the job to
 * BullMQ's stall recovery and the row 'sending', which a retry may reclaim after the provider timeout (same
 * idempotency key) and the sweep resets after SWEEP_STALE_MS.
 */
@Injectable()
export class AttemptStore implements OnModuleDestroy {
  private readonly claims: MicroBatcher<string, ClaimedAttempt | null>;
  private readonly statuses: MicroBatcher<StatusUpdate, void>;
  private readonly linkKey: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.linkKey = config.ack.keys[config.ack.currentKid];
    this.claims = new MicroBatcher((ids) => this.claimMany(ids), { maxItems: 200, maxWaitMs: 5 });
    this.statuses = new MicroBatcher((updates) => this.writeMany(updates), { maxItems: 500, maxWaitMs: 50 });
  }

  claim(attemptId: string): Promise<ClaimedAttempt | null> {
    return this.claims.submit(attemptId);
  }

  record(update: StatusUpdate): Promise<void> {
    return this.statuses.submit(update);
  }

  /** Back to the queue (transient failure, rate limit); the next try reuses the idempotency key. */
  async release(attemptId: string, error: string | null, provider: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE attempts SET status = 'queued', error = $2, provider = coalesce($3, provider), updated_at = $4
       WHERE id = $1 AND status = 'sending'`,
      [attemptId, error?.slice(0, 500) ?? null, provider, this.clock.now()],
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.claims.drain();
    await this.statuses.drain();
  }

  private async claimMany(ids: string[]): Promise<Array<ClaimedAttempt | null>> {
    const now = this.clock.now();
    const reclaimBefore = new Date(now.getTime() - this.config.delivery.timeoutMs - 5_000);
    // One transaction (one commit) for the claims and the short links of the claimed SMS.
    const rows = await this.dataSource.transaction(async (tx) => {
      const claimed = await tx.query<ClaimedAttempt[]>(
        `WITH claimed AS (
           UPDATE attempts SET status = 'sending', claimed_at = $2, tries = tries + 1, updated_at = $2
           WHERE id = ANY($1::uuid[]) AND (status = 'queued' OR (status = 'sending' AND claimed_at < $3))
           RETURNING id, call_task_id, channel, idempotency_key, contact_method_id, rung, tries)
         SELECT a.*, c.address, t.state AS task_state, t.person_id, ${callReasonsSql('t')} AS reasons, t.deadline_at,
                t.requires_ack, p.name AS person_name, w.id AS warning_id, w.hazard_type, w.level, w.headline, w.event,
                w.instruction, w.area_desc, w.is_drill, w.expires_at
         FROM claimed a JOIN contact_methods c ON c.id = a.contact_method_id JOIN call_tasks t ON t.id = a.call_task_id
         JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id`,
        [ids, now, reclaimBefore],
      );
      claimed.forEach((r) => (r.short_code = shortCode(this.linkKey, r.call_task_id)));
      const sms = claimed.filter((r) => r.channel === 'sms');
      if (sms.length > 0) {
        await tx.query(
          `INSERT INTO short_links (code, call_task_id, person_id)
           SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::uuid[]) ON CONFLICT DO NOTHING`,
          [sms.map((r) => r.short_code), sms.map((r) => r.call_task_id), sms.map((r) => r.person_id)],
        );
      }
      return claimed;
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async writeMany(updates: StatusUpdate[]): Promise<void[]> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `UPDATE attempts a SET status = v.status, provider = coalesce(v.provider, a.provider),
                provider_message_id = coalesce(v.mid, a.provider_message_id), error = v.error,
                sent_at = CASE WHEN v.status IN ('accepted', 'delivered') THEN v.at ELSE a.sent_at END,
                receipt_at = CASE WHEN v.status = 'delivered' THEN v.at ELSE a.receipt_at END,
                updated_at = $7::timestamptz
         FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $8::timestamptz[])
           AS v(id, status, provider, mid, error, at)
         WHERE a.id = v.id AND a.status = ANY($6::varchar[])`,
        [
          updates.map((u) => u.attempt.id),
          updates.map((u) => u.status),
          updates.map((u) => u.provider),
          updates.map((u) => u.messageId),
          updates.map((u) => u.error?.slice(0, 500) ?? null),
          ['sending', 'queued'],
          now,
          updates.map((u) => u.at),
        ],
      );
      const sent = updates.filter((u) => u.status === 'accepted' || u.status === 'delivered').map((u) => u.attempt.call_task_id);
      if (sent.length > 0) {
        await tx.query(`UPDATE call_tasks SET state = 'sent', updated_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'pending'`, [
          [...new Set(sent)],
          now,
        ]);
      }
      await this.events.append(
        updates.map((u) => ({
          type: EVENT_TYPE[u.status],
          warningId: u.attempt.warning_id,
          callTaskId: u.attempt.call_task_id,
          data: { channel: u.attempt.channel, attemptId: u.attempt.id, provider: u.provider ?? undefined, error: u.error ?? undefined },
          at: u.at,
        })),
        tx,
      );
    });
    return updates.map(() => undefined);
  }
}
