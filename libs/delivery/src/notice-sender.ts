import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, escapeHtml, maskPhone, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JobOutcome } from '@app/queue';
import { NoticeService, ResponseJobs } from '@app/response';
import { invalidateContact } from './attempts/contacts';
import { composeNoticeSms } from './content/compose';
import { MessageTemplates } from './content/templates';
import { EmailChannel } from './email.channel';
import { ProviderHealth, ProvidersThrottledError } from './failover/provider-health';
import { ProviderRegistry } from './providers/provider-registry';

/** A line that is a link (an order's page) is clickable in the HTML part; anything else is text. */
function htmlLine(line: string): string {
  return /^https?:\/\/\S+$/.test(line) ? `<a href="${escapeHtml(line)}">${escapeHtml(line)}</a>` : escapeHtml(line);
}

interface ClaimedNotice {
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
}

type NoticeOutcome =
  | { ok: true; provider: string; messageId: string | null }
  | { ok: false; kind: 'recipient' | 'transient'; provider: string | null; error: string; invalidNumber: boolean }
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
    private readonly email: EmailChannel,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
    private readonly templates: MessageTemplates,
    private readonly notices: NoticeService,
    private readonly jobs: ResponseJobs,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `lastTry`: BullMQ will not retry this job again, so a transient failure becomes final here. */
  async send(noticeId: string, lastTry = false): Promise<JobOutcome> {
    const n = await this.claim(noticeId);
    if (!n) {
      return 'skipped';
    }
    const outcome = n.channel === 'sms' ? await this.sendSms(n) : await this.sendEmail(n);
    if (outcome.ok) {
      await this.finish(n.id, 'sent', outcome.provider, outcome.messageId, null);
      this.logger.log({ msg: 'notice sent', noticeId: n.id, channel: n.channel, provider: outcome.provider });
      return 'done';
    }
    if (outcome.kind === 'throttled') {
      await this.release(n.id, null, null);
      throw new ProvidersThrottledError(outcome.waitMs);
    }
    if (outcome.kind === 'transient' && !lastTry) {
      await this.release(n.id, outcome.error, outcome.provider);
      throw new TransientError(`notice ${n.id}: ${outcome.error}`);
    }
    await this.finish(n.id, 'failed', outcome.provider, null, outcome.error);
    const now = this.clock.now();
    if (outcome.kind === 'recipient') {
      await invalidateContact(this.dataSource.manager, n, outcome.invalidNumber, outcome.error, now);
    }
    this.logger.warn({
      msg: 'notice failed', noticeId: n.id, channel: n.channel, provider: outcome.provider, error: outcome.error,
      to: n.channel === 'sms' ? maskPhone(n.address) : undefined,
    });
    await this.jobs.sendNotices(await this.dataSource.transaction((tx) => this.notices.fallBack(tx, n.id, now)));
    return 'done';
  }

  private async claim(noticeId: string): Promise<ClaimedNotice | null> {
    const now = this.clock.now();
    // A claim older than the provider timeout is a worker that died mid-send: taken again, same idempotency key.
    const reclaimBefore = new Date(now.getTime() - this.config.delivery.timeoutMs - 5_000);
    const [n] = await this.dataSource.query<ClaimedNotice[]>(
      `WITH claimed AS (
         UPDATE notices SET status = 'sending', updated_at = $2
         WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND updated_at < $3))
         RETURNING id, kind, channel, subject, body, person_id, contact_method_id, link_code, warning_id, order_id)
       SELECT n.id, n.kind, n.channel, n.subject, n.body, n.person_id, n.contact_method_id, c.address, n.link_code,
              s.url AS link_url, coalesce(w.is_drill, false) AS is_drill
       FROM claimed n JOIN contact_methods c ON c.id = n.contact_method_id
       LEFT JOIN short_links s ON s.code = n.link_code
       LEFT JOIN orders o ON o.id = n.order_id
       LEFT JOIN warnings w ON w.id = coalesce(n.warning_id, o.warning_id)`,
      [noticeId, now, reclaimBefore],
    );
    return n ?? null;
  }

  private async sendEmail(n: ClaimedNotice): Promise<NoticeOutcome> {
    const html = `<!doctype html><html lang="zh-CN"><body>${n.body.split('\n').map((l) => `<p>${htmlLine(l)}</p>`).join('')}</body></html>`;
    const outcome = await this.email.send(n.address, { subject: n.subject, text: n.body, html }, `notice-${n.id}`);
    return outcome.ok
      ? { ok: true, provider: outcome.provider, messageId: outcome.providerMessageId }
      : { ok: false, kind: outcome.permanent ? 'recipient' : 'transient', provider: 'smtp', error: outcome.error, invalidNumber: false };
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
    const r = await this.health.run(this.registry.sms, (p) =>
      p.send({ phones: [n.address], message, signName: d.signName, idempotencyKey: `notice-${n.id}` }),
    );
    if (r.ok) {
      return { ok: true, provider: r.provider, messageId: r.messageIds[0] ?? null };
    }
    if (r.kind === 'throttled') {
      return { ok: false, kind: 'throttled', waitMs: r.waitMs };
    }
    const recipient = r.kind === 'recipient';
    return { ok: false, kind: recipient ? 'recipient' : 'transient', provider: r.provider, error: `${r.code}: ${r.error}`, invalidNumber: recipient && r.invalidNumber };
  }

  private async finish(id: string, status: 'sent' | 'failed', provider: string | null, messageId: string | null, error: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE notices SET status = $2::varchar, provider = coalesce($3, provider), provider_message_id = $4, error = $5,
              sent_at = CASE WHEN $2::varchar = 'sent' THEN $6::timestamptz END, updated_at = $6
       WHERE id = $1 AND status = 'sending'`,
      [id, status, provider, messageId, error?.slice(0, 500) ?? null, this.clock.now()],
    );
  }

  /** Back to the queue (transient failure, every provider at its TPS); the next try reuses the idempotency key. */
  private async release(id: string, error: string | null, provider: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE notices SET status = 'queued', error = $2, provider = coalesce($3, provider), updated_at = $4 WHERE id = $1 AND status = 'sending'`,
      [id, error?.slice(0, 500) ?? null, provider, this.clock.now()],
    );
  }
}
