import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, countMessage, countRecovery, shortCode } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { AttemptOutcome, ClaimedAttempt } from '@app/database';
import {
  AttemptsRepository,
  attemptsOfStoppingChains,
  CallTasksRepository,
  EventLog,
  isDatabaseDown,
  ShortLinksRepository,
} from '@app/database';
import { REMINDER_RUNG_BASE } from '@app/calls';
import { MicroBatcher } from './micro-batcher';

export type { ClaimedAttempt };

/** Backoff of a batch of answers written again while PostgreSQL is away. */
const RECORD_RETRY_FIRST_MS = 250;
const RECORD_RETRY_MAX_MS = 2_000;

/**
 * A claim's answer: the attempt to send; nothing to do (null); or wait: its warning is being lifted right now
 * ('stopping'), or another sender's claim on it is not yet stale ('busy').
 */
export type Claim = ClaimedAttempt | null | 'stopping' | 'busy';

export type FinalStatus = AttemptOutcome;

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
 * every 50 ms or 500 rows, each in one statement (one statement per message was the fan-out's bottleneck). A caller's promise resolves only once its
 * row is written, so a job never completes before its status is durable: a crash in between leaves the job to
 * BullMQ's stall recovery and the row 'sending', which a retry may reclaim after the provider timeout (same
 * idempotency key) and the sweep resets after SWEEP_STALE_MS.
 */
@Injectable()
export class AttemptStore implements OnModuleDestroy {
  private readonly logger = new Logger(AttemptStore.name);
  private readonly claims: MicroBatcher<string, Claim>;
  private readonly statuses: MicroBatcher<StatusUpdate, void>;
  private readonly linkKey: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly attempts: AttemptsRepository,
    private readonly callTasks: CallTasksRepository,
    private readonly shortLinks: ShortLinksRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.linkKey = config.ack.keys[config.ack.currentKid];
    this.claims = new MicroBatcher((ids) => this.claimMany(ids), { maxItems: 200, maxWaitMs: 5 });
    this.statuses = new MicroBatcher((updates) => this.writeMany(updates), { maxItems: 500, maxWaitMs: 50 });
  }

  claim(attemptId: string): Promise<Claim> {
    return this.claims.submit(attemptId);
  }

  async record(update: StatusUpdate): Promise<void> {
    await this.statuses.submit(update);
    countMessage(update.attempt.channel, update.provider, update.status);
  }

  /** Back to the queue (transient failure, rate limit); the next try reuses the idempotency key. */
  async release(attemptId: string, error: string | null, provider: string | null): Promise<void> {
    await this.attempts.release(this.dataSource.manager, attemptId, error, provider, this.clock.now());
  }

  /**
   * The provider may have taken it (no answer in time, or its query API could not say): the claim stays 'sending',
   * so that nobody sends it before the claim is stale and the provider can be asked truthfully.
   */
  async keepClaim(attemptId: string, error: string, provider: string | null): Promise<void> {
    await this.attempts.keepClaim(this.dataSource.manager, attemptId, error, provider);
  }

  /** Right before an email's final "." of DATA: false when this claim no longer holds the attempt. */
  markHandedOver(attempt: Pick<ClaimedAttempt, 'id' | 'claimed_at'>): Promise<boolean> {
    return this.attempts.markHandedOver(this.dataSource.manager, attempt.id, attempt.claimed_at, this.clock.now());
  }

  async onModuleDestroy(): Promise<void> {
    await this.claims.drain();
    await this.statuses.drain();
  }

  private async claimMany(ids: string[]): Promise<Claim[]> {
    const now = this.clock.now();
    // A claim older than SWEEP_STALE_MS is abandoned (its sender's lease and provider calls are long over).
    const reclaimBefore = new Date(now.getTime() - this.config.sweep.staleMs);
    // One transaction (one commit) for the claims and the short links of the claimed SMS. It holds the stop barrier
    // of every chain it claims from (shared) until it commits; attempts of a chain being lifted are left alone.
    let stopping = new Set<string>();
    const rows = await this.dataSource.transaction(async (tx) => {
      stopping = await attemptsOfStoppingChains(tx, ids);
      const claimable = stopping.size === 0 ? ids : ids.filter((id) => !stopping.has(id));
      const claimed = (await this.attempts.claim(
        tx,
        claimable,
        { now, reclaimBefore },
        REMINDER_RUNG_BASE,
      )) as ClaimedAttempt[];
      claimed.forEach((r) => (r.short_code = shortCode(this.linkKey, r.call_task_id)));
      const sms = claimed.filter((r) => r.channel === 'sms');
      if (sms.length > 0) {
        await this.shortLinks.addForCalls(
          tx,
          sms.map((r) => ({ code: r.short_code, callTaskId: r.call_task_id, personId: r.person_id })),
        );
      }
      return claimed;
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const unclaimed = ids.filter((id) => !byId.has(id) && !stopping.has(id));
    const busy = new Set(
      unclaimed.length === 0
        ? []
        : (
            await this.dataSource.query<Array<{ id: string }>>(
              `SELECT id FROM attempts WHERE id = ANY($1::uuid[]) AND status = 'sending'`,
              [unclaimed],
            )
          ).map((r) => r.id),
    );
    return ids.map((id) => (stopping.has(id) ? 'stopping' : busy.has(id) ? 'busy' : (byId.get(id) ?? null)));
  }

  /**
   * A batch of providers' answers, written again while PostgreSQL is away (a restart, a failover) for up to half of
   * SWEEP_STALE_MS: the sender knows what the provider said, and an answer lost to the outage would have the message
   * claimed again, and an email past its hand-over mark sent twice. Each try writes only what is not yet final, so an
   * answer whose commit reached the server but not its reply is not written (nor its event appended) twice.
   */
  private async writeMany(updates: StatusUpdate[]): Promise<void[]> {
    const giveUpAt = Date.now() + this.config.sweep.staleMs / 2;
    for (let delay = RECORD_RETRY_FIRST_MS, retry = false; ; delay = Math.min(delay * 2, RECORD_RETRY_MAX_MS)) {
      try {
        const open = retry ? await this.notFinal(updates) : updates;
        if (open.length > 0) {
          await this.writeOnce(open);
        }
        if (retry) {
          countRecovery(this.logger, 'outcome_rewritten', open.length, { note: 'written once PostgreSQL was back' });
        }
        return updates.map(() => undefined);
      } catch (e) {
        if (!isDatabaseDown(e) || Date.now() + delay > giveUpAt) {
          throw e;
        }
        retry = true;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async notFinal(updates: StatusUpdate[]): Promise<StatusUpdate[]> {
    const open = await this.attempts.notFinal(
      this.dataSource.manager,
      updates.map((u) => u.attempt.id),
    );
    return updates.filter((u) => open.has(u.attempt.id));
  }

  /**
   * The outcomes, and for the attempts they changed (not one already final: a late or repeated answer), the calls
   * sent and the events: an answer that changed nothing records nothing.
   */
  private async writeOnce(updates: StatusUpdate[]): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const changed = await this.attempts.recordOutcomes(
        tx,
        updates.map((u) => ({
          id: u.attempt.id,
          status: u.status,
          provider: u.provider,
          messageId: u.messageId,
          error: u.error,
          at: u.at,
        })),
        now,
      );
      const written = updates.filter((u) => changed.delete(u.attempt.id)); // one answer per changed row
      if (written.length === 0) {
        return;
      }
      const sent = written
        .filter((u) => u.status === 'accepted' || u.status === 'delivered')
        .map((u) => u.attempt.call_task_id);
      if (sent.length > 0) {
        await this.callTasks.markSent(tx, [...new Set(sent)], now);
      }
      await this.events.append(
        written.map((u) => ({
          type: EVENT_TYPE[u.status],
          warningId: u.attempt.warning_id,
          callTaskId: u.attempt.call_task_id,
          data: {
            channel: u.attempt.channel,
            attemptId: u.attempt.id,
            provider: u.provider ?? undefined,
            error: u.error ?? undefined,
          },
          at: u.at,
        })),
        tx,
      );
    });
  }
}
