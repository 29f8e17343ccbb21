import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, countRecovery, Gate, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JobOutcome, RetryLaterError, SMS_SENDS_AT_ONCE } from '@app/queue';
import { AttemptStore, ClaimedAttempt } from './attempts/attempt-store';
import { NextRung } from './attempts/next-rung';
import { CallChannel, ChannelOutcome } from './channels/call-channel';
import { SmsChannel, VoiceChannel } from './channels/phone.channels';
import { ProvidersThrottledError } from './failover/provider-health';
import { UNCERTAIN_TRIES, untilStaleMs } from './failover/uncertain-send';
import { WebhookChannel } from './channels/webhook.channel';
import { EmailCallChannel } from './channels/email-call.channel';
import { ContactMethodsRepository, isUnanswered } from '@app/database';

/** How soon an attempt whose warning is being lifted is looked at again. */
const STOPPING_RETRY_MS = 500;
/** How soon an attempt another sender holds is looked at again. */
const BUSY_RETRY_MS = 3_000;
/** How soon a page's attempt that failed for now is tried again: a single SendAttempt job's first backoff. */
const PAGE_TRANSIENT_RETRY_MS = 2_000;

/** An attempt of a page that could not be finished now: back to the queue on its own after `delayMs`. */
export interface SendLater {
  attemptId: string;
  delayMs: number;
}

export interface PageOutcome {
  later: SendLater[];
  /** Every provider was at its TPS for some of them: the queue waits this long. */
  throttledMs: number | null;
}

/**
 * Sends one attempt. A claim is a lease (CLAIM_LEASE_MS): a provider call starts only within it (checked right before
 * the request) and ends within PROVIDER_TIMEOUT_MS, so when the sweep, a lift's drain or another claim takes a claim older than SWEEP_STALE_MS as
 * abandoned, its sender is done with it. The claim (queued → sending) before the provider call means a duplicate job finds nothing to
 * do and a task answered or closed meanwhile gets no message; the idempotency key goes to the provider. Accepted
 * and failed statuses are written in batches, each job waiting for its own row. A permanent failure invalidates
 * the contact (the roster fitness list shows it) and runs the person's next ladder rung now.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly channels: Record<string, CallChannel>;
  private readonly leaseMs: number;
  private readonly staleMs: number;
  /** The pages in hand share these sends: a page waiting on one slow call leaves its other slots to the next page. */
  private readonly pageSlots = new Gate(SMS_SENDS_AT_ONCE);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: AttemptStore,
    private readonly contacts: ContactMethodsRepository,
    private readonly nextRung: NextRung,
    private readonly clock: Clock,
    private readonly sms: SmsChannel,
    voice: VoiceChannel,
    email: EmailCallChannel,
    webhook: WebhookChannel,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channels = { sms, voice, email, webhook };
    this.leaseMs = config.delivery.claimLeaseMs;
    this.staleMs = config.sweep.staleMs;
  }

  /**
   * Held too long before sending (a busy process), found here or by the channel right before its request: the sweep
   * may already count the claim as abandoned and hand it to another sender, so this one must not send. Back to the
   * queue; the next claim asks the provider first.
   */
  private async overLease(attempt: ClaimedAttempt): Promise<never> {
    await this.store.release(attempt.id, 'claim older than its lease before sending', null);
    throw new RetryLaterError(STOPPING_RETRY_MS, `attempt ${attempt.id}: claim older than its lease`);
  }

  /** `lastTry`: BullMQ will not retry this job again, so a transient failure becomes final here. */
  async send(attemptId: string, lastTry = false): Promise<JobOutcome> {
    const attempt = await this.store.claim(attemptId);
    if (attempt === 'stopping') {
      // Its warning is being lifted: once the lift commits this attempt is cancelled; should the lift fail, it is sent.
      throw new RetryLaterError(STOPPING_RETRY_MS, `attempt ${attemptId}: its warning is being lifted`);
    }
    if (attempt === 'busy') {
      // Another claim holds it (or held it, and its sender died): look again once that claim is done or stale.
      throw new RetryLaterError(BUSY_RETRY_MS, `attempt ${attemptId}: claimed by another sender`);
    }
    if (!attempt) {
      return 'skipped';
    }
    if (!isUnanswered(attempt.task_state)) {
      await this.store.record({
        attempt,
        status: 'cancelled',
        provider: null,
        messageId: null,
        error: `call ${attempt.task_state}`,
        at: this.clock.now(),
      });
      return 'skipped';
    }
    if (attempt.channel === 'sms' && attempt.tries > 1 && (await this.alreadyTaken(attempt))) {
      return 'done';
    }
    if (attempt.channel === 'email' && attempt.tries > 1 && attempt.handed_over_at) {
      this.resendingHandedOver(attempt);
    }
    if (this.clock.now().getTime() - attempt.claimed_at.getTime() > this.leaseMs) {
      return this.overLease(attempt);
    }
    const channel = this.channels[attempt.channel];
    const outcome: ChannelOutcome = channel
      ? await channel.send(attempt)
      : {
          ok: false,
          kind: 'recipient',
          code: 'NoChannel',
          error: `no sender for channel ${attempt.channel}`,
          invalidNumber: false,
          provider: null,
        };
    return this.settle(attempt, outcome, lastTry);
  }

  /**
   * A page of SMS attempts (SendAttemptPage): each claimed, sent and recorded as by `send`, with the claims and
   * outcomes of the page falling into the store's batches together. What one of them could not finish now (another
   * sender holds it, its warning is being lifted, throttled, a transient failure, PostgreSQL away) is returned, to go
   * back to the queue as its own SendAttempt job with a single attempt's retries: the page itself never retries a send.
   */
  async sendPage(attemptIds: string[]): Promise<PageOutcome> {
    const later: SendLater[] = [];
    let throttledMs: number | null = null;
    await Promise.all(
      attemptIds.map(async (attemptId) => {
        try {
          await this.pageSlots.run(() => this.send(attemptId));
        } catch (e) {
          if (e instanceof ProvidersThrottledError) {
            throttledMs = Math.max(throttledMs ?? 0, e.waitMs);
          }
          later.push({ attemptId, delayMs: this.laterBy(e) });
          if (!(e instanceof RetryLaterError) && !(e instanceof ProvidersThrottledError)) {
            this.logger.warn({ msg: 'page attempt failed for now', attemptId, error: String(e) });
          }
        }
      }),
    );
    return { later, throttledMs };
  }

  private laterBy(e: unknown): number {
    if (e instanceof RetryLaterError) {
      return e.delayMs;
    }
    return e instanceof ProvidersThrottledError ? e.waitMs : PAGE_TRANSIENT_RETRY_MS;
  }

  /**
   * An SMS an earlier claim did send: recorded as accepted without sending it again. When a provider cannot be asked
   * (its query API down or refusing), the SMS is sent: a warning held back for as long as a provider's query API is
   * out is worse than a second copy.
   */
  private async alreadyTaken(attempt: ClaimedAttempt): Promise<boolean> {
    const found = await this.sms.findSent(attempt);
    if (found.taken !== true) {
      return false;
    }
    await this.store.record({
      attempt,
      status: 'accepted',
      provider: found.provider,
      messageId: found.messageId,
      error: null,
      at: this.clock.now(),
    });
    countRecovery(this.logger, 'attempt_reconciled', 1, {
      note: 'found at its provider, not sent again',
      attemptId: attempt.id,
      provider: found.provider,
    });
    return true;
  }

  /**
   * An email an earlier claim took to the final "." of DATA: the server may have it, and SMTP cannot be asked. It is
   * sent again (the same Message-ID, which many mailboxes fold into one): a copy too many is better than a warning
   * lost. Counted, so that the possible second copies are known; an email without the mark never reached the server.
   */
  private resendingHandedOver(attempt: ClaimedAttempt): void {
    countRecovery(this.logger, 'email_resent_after_handover', 1, {
      note: 'an earlier claim reached the end of DATA: this email may arrive twice',
      attemptId: attempt.id,
    });
  }

  /** An SMS that got no answer in time: the claim stays until stale, then the provider is asked (uncertain-send). */
  private async keepUncertain(attempt: ClaimedAttempt, error: string, provider: string | null): Promise<never> {
    await this.store.keepClaim(attempt.id, error, provider);
    throw new RetryLaterError(
      untilStaleMs(attempt.claimed_at, this.staleMs, this.clock.now()),
      `attempt ${attempt.id}: outcome unknown (${error}), asked again later`,
    );
  }

  private async settle(attempt: ClaimedAttempt, outcome: ChannelOutcome, lastTry: boolean): Promise<JobOutcome> {
    if (outcome.ok) {
      await this.store.record({
        attempt,
        status: outcome.delivered ? 'delivered' : 'accepted',
        provider: outcome.provider,
        messageId: outcome.messageIds[0] ?? null,
        error: null,
        at: this.clock.now(),
      });
      return 'done';
    }
    if (outcome.kind === 'throttled') {
      await this.store.release(attempt.id, null, null);
      throw new ProvidersThrottledError(outcome.waitMs);
    }
    if (outcome.kind === 'late') {
      return this.overLease(attempt);
    }
    const error = `${outcome.code}: ${outcome.error}`;
    if (outcome.kind === 'uncertain' && attempt.channel === 'sms' && attempt.tries < UNCERTAIN_TRIES && !lastTry) {
      return this.keepUncertain(attempt, error, outcome.provider);
    }
    if (outcome.kind === 'recipient' || lastTry) {
      await this.store.record({
        attempt,
        status: 'failed',
        provider: outcome.provider,
        messageId: null,
        error,
        at: this.clock.now(),
      });
      if (outcome.kind === 'recipient') {
        await this.contacts.invalidate(
          this.dataSource.manager,
          attempt,
          outcome.invalidNumber,
          error,
          this.clock.now(),
        );
      }
      this.logger.warn({
        msg: 'attempt failed',
        attemptId: attempt.id,
        callTaskId: attempt.call_task_id,
        channel: attempt.channel,
        provider: outcome.provider,
        code: outcome.code,
      });
      await this.nextRung.afterPermanentFailure(attempt.call_task_id);
      return 'done';
    }
    await this.store.release(attempt.id, error, outcome.provider);
    throw new TransientError(`attempt ${attempt.id}: ${error}`);
  }
}
