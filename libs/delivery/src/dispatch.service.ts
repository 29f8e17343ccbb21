import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, TransientError } from '@app/common';
import { JobOutcome } from '@app/queue';
import { AttemptStore, ClaimedAttempt } from './attempts/attempt-store';
import { invalidateContact } from './attempts/contacts';
import { NextRung } from './attempts/next-rung';
import { CallChannel, ChannelOutcome } from './channels/call-channel';
import { SmsChannel, VoiceChannel } from './channels/phone.channels';
import { ProvidersThrottledError } from './failover/provider-health';
import { WebhookChannel } from './channels/webhook.channel';
import { EmailCallChannel } from './channels/email-call.channel';

const SENDABLE_TASK_STATES = ['pending', 'sent', 'escalated', 'unreachable'];

/**
 * Sends one attempt. The claim (queued → sending) before the provider call means a duplicate job finds nothing to
 * do and a task answered or closed meanwhile gets no message; the idempotency key goes to the provider. Accepted
 * and failed statuses are written in batches, each job waiting for its own row. A permanent failure invalidates
 * the contact (the roster fitness list shows it) and runs the person's next ladder rung now.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly channels: Record<string, CallChannel>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: AttemptStore,
    private readonly nextRung: NextRung,
    private readonly clock: Clock,
    sms: SmsChannel,
    voice: VoiceChannel,
    email: EmailCallChannel,
    webhook: WebhookChannel,
  ) {
    this.channels = { sms, voice, email, webhook };
  }

  /** `lastTry`: BullMQ will not retry this job again, so a transient failure becomes final here. */
  async send(attemptId: string, lastTry = false): Promise<JobOutcome> {
    const attempt = await this.store.claim(attemptId);
    if (!attempt) {
      return 'skipped';
    }
    if (!SENDABLE_TASK_STATES.includes(attempt.task_state)) {
      await this.store.record({ attempt, status: 'cancelled', provider: null, messageId: null, error: `call ${attempt.task_state}`, at: this.clock.now() });
      return 'skipped';
    }
    const channel = this.channels[attempt.channel];
    const outcome: ChannelOutcome = channel
      ? await channel.send(attempt)
      : { ok: false, kind: 'recipient', code: 'NoChannel', error: `no sender for channel ${attempt.channel}`, invalidNumber: false, provider: null };
    return this.settle(attempt, outcome, lastTry);
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
    const error = `${outcome.code}: ${outcome.error}`;
    if (outcome.kind === 'recipient' || lastTry) {
      await this.store.record({ attempt, status: 'failed', provider: outcome.provider, messageId: null, error, at: this.clock.now() });
      if (outcome.kind === 'recipient') {
        await invalidateContact(this.dataSource.manager, attempt, outcome.invalidNumber, error, this.clock.now());
      }
      this.logger.warn({ msg: 'attempt failed', attemptId: attempt.id, callTaskId: attempt.call_task_id, channel: attempt.channel, provider: outcome.provider, code: outcome.code });
      await this.nextRung.afterPermanentFailure(attempt.call_task_id);
      return 'done';
    }
    await this.store.release(attempt.id, error, outcome.provider);
    throw new TransientError(`attempt ${attempt.id}: ${error}`);
  }
}
