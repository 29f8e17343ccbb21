import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, TransientError } from '@app/common';
import type { CallReason } from '@app/database';
import { EventLog } from '@app/database';
import { JobOutcome } from '@app/queue';
import { AckLinks } from '@app/response';
import { EmailChannel } from './email.channel';
import { renderCallEmail } from './message-renderer';

interface ClaimedAttempt {
  id: string;
  call_task_id: string;
  channel: string;
  idempotency_key: string;
  address: string;
  contact_method_id: string;
  task_state: string;
  person_id: string;
  person_name: string;
  reasons: CallReason[];
  deadline_at: Date | null;
  requires_ack: boolean;
  warning_id: string;
  headline: string;
  event: string;
  colour: string | null;
  instruction: string;
  area_desc: string;
  is_drill: boolean;
  expires_at: Date | null;
}

const SENDABLE_TASK_STATES = ['pending', 'sent', 'escalated', 'unreachable'];

/**
 * Sends one attempt. A conditional claim (queued → sending) before the provider call means a duplicate job
 * finds nothing to do; a task answered or closed meanwhile gets no message.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly email: EmailChannel,
    private readonly links: AckLinks,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async send(attemptId: string): Promise<JobOutcome> {
    const attempt = await this.claim(attemptId);
    if (!attempt) {
      return 'skipped';
    }
    if (!SENDABLE_TASK_STATES.includes(attempt.task_state) || attempt.task_state === 'acknowledged') {
      await this.finish(attempt, 'cancelled', { error: `call ${attempt.task_state}` });
      return 'skipped';
    }
    const token = this.links.token(attempt.call_task_id, attempt.person_id, attempt.expires_at);
    const mail = renderCallEmail({
      personName: attempt.person_name,
      headline: attempt.headline,
      event: attempt.event,
      colour: attempt.colour,
      instruction: attempt.instruction,
      areaDesc: attempt.area_desc,
      isDrill: attempt.is_drill,
      deadlineAt: attempt.deadline_at,
      requiresAck: attempt.requires_ack,
      reasons: attempt.reasons,
      ackUrl: this.links.url(token),
    });
    const outcome = await this.email.send(attempt.address, mail, attempt.idempotency_key);
    if (outcome.ok) {
      await this.finish(attempt, 'sent', { provider: outcome.provider, providerMessageId: outcome.providerMessageId });
      return 'done';
    }
    if (outcome.permanent) {
      await this.finish(attempt, 'failed', { error: outcome.error, invalidateContact: true });
      return 'done';
    }
    await this.dataSource.query(`UPDATE attempts SET status = 'queued', error = $2, updated_at = now() WHERE id = $1`, [
      attempt.id,
      outcome.error,
    ]);
    throw new TransientError(`attempt ${attempt.id}: ${outcome.error}`);
  }

  private async claim(attemptId: string): Promise<ClaimedAttempt | null> {
    const rows = await this.dataSource.query<ClaimedAttempt[]>(
      `WITH claimed AS (
         UPDATE attempts SET status = 'sending', updated_at = now() WHERE id = $1 AND status = 'queued' RETURNING *)
       SELECT a.id, a.call_task_id, a.channel, a.idempotency_key, a.contact_method_id, c.address,
              t.state AS task_state, t.person_id, t.reasons, t.deadline_at, t.requires_ack, p.name AS person_name,
              w.id AS warning_id, w.headline, w.event, w.colour, w.instruction, w.area_desc, w.is_drill, w.expires_at
       FROM claimed a JOIN contact_methods c ON c.id = a.contact_method_id JOIN call_tasks t ON t.id = a.call_task_id
       JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id`,
      [attemptId],
    );
    return rows[0] ?? null;
  }

  private async finish(
    attempt: ClaimedAttempt,
    status: 'sent' | 'failed' | 'cancelled',
    extra: { provider?: string; providerMessageId?: string; error?: string; invalidateContact?: boolean },
  ): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `UPDATE attempts SET status = $2::varchar, provider = $3, provider_message_id = $4, error = $5,
                sent_at = CASE WHEN $2::varchar = 'sent' THEN $6::timestamptz ELSE sent_at END, updated_at = $6 WHERE id = $1`,
        [attempt.id, status, extra.provider ?? null, extra.providerMessageId ?? null, extra.error ?? null, now],
      );
      if (status === 'sent') {
        await tx.query(`UPDATE call_tasks SET state = 'sent', updated_at = $2 WHERE id = $1 AND state = 'pending'`, [
          attempt.call_task_id,
          now,
        ]);
      }
      if (extra.invalidateContact) {
        await tx.query(`UPDATE contact_methods SET invalid_at = $2, invalid_reason = $3 WHERE id = $1`, [
          attempt.contact_method_id,
          now,
          (extra.error ?? '').slice(0, 200),
        ]);
      }
      await this.events.append(
        {
          type: status === 'sent' ? 'MessageSent' : status === 'failed' ? 'MessageFailed' : 'MessageCancelled',
          warningId: attempt.warning_id,
          callTaskId: attempt.call_task_id,
          data: { channel: attempt.channel, attemptId: attempt.id, provider: extra.provider, error: extra.error },
        },
        tx,
      );
    });
    this.logger.log({ msg: `attempt ${status}`, attemptId: attempt.id, callTaskId: attempt.call_task_id, channel: attempt.channel });
  }
}
