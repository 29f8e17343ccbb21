import { Injectable } from '@nestjs/common';
import { levelName } from '@app/config';
import { AckLinks } from '@app/calls';
import { AttemptStore, ClaimedAttempt } from '../attempts/attempt-store';
import { EmailChannel } from '../email.channel';
import { renderCallEmail } from '../message-renderer';
import { CallChannel, ChannelOutcome } from './call-channel';

/**
 * A call by email (the full signed link), over the SMTP transport. A 5xx answer refuses the address for good. Right
 * before the final "." of DATA the attempt is marked handed over, if its claim still holds; a claim lost meanwhile
 * aborts the message before its end. The mark tells a claim taken again after a crash whether the server may already
 * have the email (DispatchService).
 */
@Injectable()
export class EmailCallChannel implements CallChannel {
  constructor(
    private readonly email: EmailChannel,
    private readonly links: AckLinks,
    private readonly store: AttemptStore,
  ) {}

  async send(a: ClaimedAttempt): Promise<ChannelOutcome> {
    const mail = renderCallEmail({
      personName: a.person_name,
      headline: a.headline,
      change: a.change,
      event: a.event,
      colour: a.level ? levelName(a.level) : null,
      instruction: a.instruction,
      areaDesc: a.area_desc,
      isDrill: a.is_drill,
      deadlineAt: a.deadline_at,
      requiresAck: a.requires_ack,
      reasons: a.reasons,
      ackUrl: this.links.url(this.links.token(a.call_task_id, a.person_id, a.expires_at)),
    });
    const outcome = await this.email.send(a.address, mail, a.idempotency_key, async () => {
      if (!(await this.store.markHandedOver(a))) {
        throw new Error(`attempt ${a.id}: claim lost before the end of DATA`);
      }
    });
    if (outcome.ok) {
      return { ok: true, messageIds: [outcome.providerMessageId], rejected: 0, provider: outcome.provider };
    }
    return outcome.permanent
      ? { ok: false, kind: 'recipient', code: 'SMTP5xx', error: outcome.error, invalidNumber: true, provider: 'smtp' }
      : { ok: false, kind: 'provider', code: 'SMTP', error: outcome.error, provider: 'smtp' };
  }
}
