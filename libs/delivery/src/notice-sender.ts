import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, countMessage, countRecovery, escapeHtml, maskPhone, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { ClaimedNotice } from '@app/database';
import { ContactMethodsRepository, NoticesRepository } from '@app/database';
import { JobOutcome, JobProducer, RetryLaterError } from '@app/queue';
import { NoticeService } from '@app/calls';
import { composeNoticeSms } from './content/compose';
import { MessageTemplates } from './content/templates';
import { EmailChannel } from './email.channel';
import { emailHtml } from './message-renderer';
import { ProviderHealth, ProvidersThrottledError } from './failover/provider-health';
import { UNCERTAIN_TRIES, untilStaleMs } from './failover/uncertain-send';
import { findTakenSms } from './providers/provider';
import { ProviderRegistry } from './providers/provider-registry';

/** A line that is a link (an order's page) is clickable in the HTML part; anything else is text. */
function htmlLine(line: string): string {
  return /^https?:\/\/\S+$/.test(line) ? `<a href="${escapeHtml(line)}">${escapeHtml(line)}</a>` : escapeHtml(line);
}

/** How soon a notice whose warning is being lifted is looked at again. */
const STOPPING_RETRY_MS = 500;

type NoticeOutcome =
  | { ok: true; provider: string; messageId: string | null }
  | {
      ok: false;
      kind: 'recipient' | 'transient' | 'uncertain';
      provider: string | null;
      error: string;
      invalidNumber: boolean;
    }
  | { ok: false; kind: 'throttled'; waitMs: number };

/**
 * Sends one notify-only notice row (`notices`) on its channel: email through SMTP, SMS through the same providers,
 * failover, circuit breakers, TPS buckets, templates and segment rules as calls (so it runs in the dispatcher, where
 * those live). Claimed queued → sending first, so a duplicate job does nothing; the SMS carries the idempotency key
 * `notice-<id>`. A contact that refuses for good is marked invalid like a call's, and a first-of rule goes on by the
 * person's next channel (NoticeService.fallBack).
 */
@Injectable()
export class NoticeSender {
  private readonly logger = new Logger(NoticeSender.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: NoticesRepository,
    private readonly contacts: ContactMethodsRepository,
    private readonly email: EmailChannel,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
    private readonly templates: MessageTemplates,
    private readonly notices: NoticeService,
    private readonly jobs: JobProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `lastTry`: BullMQ will not retry this job again, so a transient failure becomes final here. */
  async send(noticeId: string, lastTry = false): Promise<JobOutcome> {
    const claimedAt = this.clock.now();
    const n = await this.claim(noticeId, claimedAt);
    if (!n) {
      return 'skipped';
    }
    const outcome = n.channel === 'sms' ? await this.sendSms(n) : await this.sendEmail(n);
    if (outcome.ok) {
      await this.finish(n.id, 'sent', outcome.provider, outcome.messageId, null);
      countMessage(n.channel, outcome.provider, 'accepted', 'notice');
      this.logger.log({ msg: 'notice sent', noticeId: n.id, channel: n.channel, provider: outcome.provider });
      return 'done';
    }
    if (outcome.kind === 'throttled') {
      await this.release(n.id, null, null);
      throw new ProvidersThrottledError(outcome.waitMs);
    }
    if (outcome.kind === 'uncertain' && n.tries < UNCERTAIN_TRIES && !lastTry) {
      // No answer in time: the carrier may still take it. Asked before any resend, once the claim is stale.
      await this.outbox.keepClaim(this.dataSource.manager, n.id, outcome.error, outcome.provider);
      throw new RetryLaterError(
        untilStaleMs(claimedAt, this.config.sweep.staleMs, this.clock.now()),
        `notice ${n.id}: outcome unknown (${outcome.error}), asked again later`,
      );
    }
    if ((outcome.kind === 'transient' || outcome.kind === 'uncertain') && !lastTry) {
      await this.release(n.id, outcome.error, outcome.provider);
      throw new TransientError(`notice ${n.id}: ${outcome.error}`);
    }
    await this.finish(n.id, 'failed', outcome.provider, null, outcome.error);
    countMessage(n.channel, outcome.provider, 'failed', 'notice');
    const now = this.clock.now();
    if (outcome.kind === 'recipient') {
      await this.contacts.invalidate(this.dataSource.manager, n, outcome.invalidNumber, outcome.error, now);
    }
    this.logger.warn({
      msg: 'notice failed',
      noticeId: n.id,
      channel: n.channel,
      provider: outcome.provider,
      error: outcome.error,
      to: n.channel === 'sms' ? maskPhone(n.address) : undefined,
    });
    await this.jobs.sendNotices(await this.dataSource.transaction((tx) => this.notices.fallBack(tx, n.id, now)));
    return 'done';
  }

  private async claim(noticeId: string, now: Date): Promise<ClaimedNotice | null> {
    // A claim older than SWEEP_STALE_MS belongs to a worker that died mid-send: taken again, same idempotency key.
    const reclaimBefore = new Date(now.getTime() - this.config.sweep.staleMs);
    // `before` reads the row as it was when the statement began (every part of one statement shares that snapshot).
    // A notice of a warning whose chain is being lifted is not claimed (the lift cancels it or, should it fail, leaves it).
    const n = await this.outbox.claim(this.dataSource.manager, noticeId, now, reclaimBefore);
    if (!n) {
      const [left] = await this.dataSource.query<Array<{ status: string }>>(
        `SELECT status FROM notices WHERE id = $1`,
        [noticeId],
      );
      if (left?.status === 'queued') {
        throw new RetryLaterError(STOPPING_RETRY_MS, `notice ${noticeId}: its warning is being lifted`);
      }
    }
    return n;
  }

  private async sendEmail(n: ClaimedNotice): Promise<NoticeOutcome> {
    const html = emailHtml(
      n.body
        .split('\n')
        .map((l) => `<p>${htmlLine(l)}</p>`)
        .join(''),
    );
    const outcome = await this.email.send(n.address, { subject: n.subject, text: n.body, html }, `notice-${n.id}`);
    return outcome.ok
      ? { ok: true, provider: outcome.provider, messageId: outcome.providerMessageId }
      : {
          ok: false,
          kind: outcome.permanent ? 'recipient' : 'transient',
          provider: 'smtp',
          error: outcome.error,
          invalidNumber: false,
        };
  }

  private async sendSms(n: ClaimedNotice): Promise<NoticeOutcome> {
    const d = this.config.delivery;
    const shortLink = n.link_code ? `${this.config.http.publicBaseUrl}/a/${n.link_code}` : null;
    const message = composeNoticeSms(
      this.templates,
      { kind: n.kind, subject: n.subject, body: n.body, link: n.link_url, shortLink, isDrill: n.is_drill },
      d.signName,
      d.smsMaxSegments,
    );
    const key = `notice-${n.id}`;
    const taken = n.retaken
      ? await findTakenSms(this.registry.sms, {
          phone: n.address,
          idempotencyKey: key,
          since: new Date(n.created_at.getTime() - 60_000),
        })
      : null;
    if (taken) {
      countRecovery(this.logger, 'notice_reconciled', 1, {
        note: 'found at its provider, not sent again',
        noticeId: n.id,
        provider: taken.provider,
      });
      return { ok: true, provider: taken.provider, messageId: taken.messageId };
    }
    const r = await this.health.run(this.registry.sms, (p) =>
      p.send({ phones: [n.address], message, signName: d.signName, idempotencyKey: key }),
    );
    if (r.ok) {
      return { ok: true, provider: r.provider, messageId: r.messageIds[0] ?? null };
    }
    if (r.kind === 'throttled') {
      return { ok: false, kind: 'throttled', waitMs: r.waitMs };
    }
    const recipient = r.kind === 'recipient';
    return {
      ok: false,
      kind: recipient ? 'recipient' : r.kind === 'uncertain' ? 'uncertain' : 'transient',
      provider: r.provider,
      error: `${r.code}: ${r.error}`,
      invalidNumber: recipient && r.invalidNumber,
    };
  }

  private async finish(
    id: string,
    status: 'sent' | 'failed',
    provider: string | null,
    messageId: string | null,
    error: string | null,
  ): Promise<void> {
    await this.outbox.finish(this.dataSource.manager, id, { status, provider, messageId, error }, this.clock.now());
  }

  /** Back to the queue (transient failure, every provider at its TPS); the next try reuses the idempotency key. */
  private async release(id: string, error: string | null, provider: string | null): Promise<void> {
    await this.outbox.release(this.dataSource.manager, id, error, provider, this.clock.now());
  }
}
