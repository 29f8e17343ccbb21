import { Injectable, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, escapeHtml, TransientError } from '@app/common';
import { JobOutcome } from '@app/queue';
import { EmailChannel } from './email.channel';

/** Sends one notify-only notice (outbox row in `notices`), claimed queued → sending first so a duplicate job does nothing. */
@Injectable()
export class NoticeSender {
  private readonly logger = new Logger(NoticeSender.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly email: EmailChannel,
    private readonly clock: Clock,
  ) {}

  async send(noticeId: string): Promise<JobOutcome> {
    const [n] = await this.dataSource.query<Array<{ id: string; subject: string; body: string; address: string }>>(
      `WITH claimed AS (UPDATE notices SET status = 'sending', updated_at = now() WHERE id = $1 AND status = 'queued' RETURNING *)
       SELECT n.id, n.subject, n.body, c.address FROM claimed n JOIN contact_methods c ON c.id = n.contact_method_id`,
      [noticeId],
    );
    if (!n) {
      return 'skipped';
    }
    const html = `<!doctype html><html lang="zh-CN"><body>${n.body.split('\n').map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
    const outcome = await this.email.send(n.address, { subject: n.subject, text: n.body, html }, `notice-${n.id}`);
    const status = outcome.ok ? 'sent' : outcome.permanent ? 'failed' : 'queued';
    await this.dataSource.query(
      `UPDATE notices SET status = $2::varchar, error = $3, sent_at = CASE WHEN $2::varchar = 'sent' THEN $4::timestamptz END, updated_at = $4
       WHERE id = $1`,
      [n.id, status, outcome.ok ? null : outcome.error, this.clock.now()],
    );
    if (status === 'queued') {
      throw new TransientError(`notice ${n.id}: ${outcome.ok ? '' : outcome.error}`);
    }
    this.logger.log({ msg: `notice ${status}`, noticeId: n.id });
    return 'done';
  }
}

/** Notices only; the call dispatch has its own module. */
@Module({
  providers: [NoticeSender, EmailChannel],
  exports: [NoticeSender],
})
export class NoticeDeliveryModule {}
