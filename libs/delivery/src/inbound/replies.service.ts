import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, maskPhone, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { EventLog, UNANSWERED_STATES } from '@app/database';
import { NewNotice, NoticeService } from '@app/calls';
import { AckService } from '@app/response';
import { JobProducer } from '@app/queue';
import { normalizePhone } from '../attempts/contacts';

const RECEIVED = /^(1|确认|收到|已收到)$/;
/** At most one help reply per number in this window: an auto-responder on the other end cannot start a loop. */
const HELP_WINDOW_MS = 10 * 60_000;

/**
 * Answers that come back through a provider: an SMS reply ("1", or the code of the message's link) and a voice
 * keypress. Both acknowledge through AckService like the link does (first answer wins, late ones are marked).
 */
@Injectable()
export class RepliesService {
  private readonly logger = new Logger(RepliesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly acks: AckService,
    private readonly events: EventLog,
    private readonly notices: NoticeService,
    private readonly jobs: JobProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * "1" answers every open call whose SMS went to this number (the person has received them all); the 10-character
   * code of a message's link answers that call only. Anything else is logged as unrecognised.
   */
  async smsReply(rawPhone: string, text: string, nationCode = '86'): Promise<{ acknowledged: string[] }> {
    const phone = normalizePhone(rawPhone, nationCode);
    const reply = text.trim().replace(/^[【\s]+|[】\s。.!！]+$/g, '');
    let tasks: Array<{ id: string; person_id: string }> = [];
    if (RECEIVED.test(reply)) {
      tasks = await this.dataSource.query(
        `SELECT DISTINCT t.id, t.person_id FROM attempts a JOIN contact_methods c ON c.id = a.contact_method_id
         JOIN call_tasks t ON t.id = a.call_task_id
         WHERE c.address = $1 AND a.channel = 'sms' AND a.sent_at IS NOT NULL AND t.state = ANY($2::varchar[])`,
        [phone, UNANSWERED_STATES],
      );
    } else if (/^[A-Za-z0-9_-]{10}$/.test(reply)) {
      tasks = await this.dataSource.query(
        `SELECT t.id, t.person_id FROM short_links s JOIN call_tasks t ON t.id = s.call_task_id
         JOIN contact_methods c ON c.person_id = t.person_id AND c.address = $2
         WHERE s.code = $1 LIMIT 1`,
        [reply, phone],
      );
    }
    const answered: string[] = [];
    for (const t of tasks) {
      const result = await this.acks.acknowledge(
        t.id,
        t.person_id,
        { response: 'received' },
        'sms_reply',
        `person:${t.person_id}`,
      );
      if (!result.alreadyAcknowledged) {
        answered.push(t.id);
      }
    }
    if (tasks.length === 0) {
      await this.events.append({
        type: 'SmsReplyUnmatched',
        data: { phone: maskPhone(phone), text: reply.slice(0, 70) },
      });
      this.logger.log({ msg: 'sms reply matched no open call', phone: maskPhone(phone) });
    }
    await this.answerBack(phone, answered);
    return { acknowledged: tasks.map((t) => t.id) };
  }

  /**
   * The reply is answered by SMS to the number it came from, as a carrier delivers it: 已确认收到 with what was
   * confirmed, or, when it answered nothing, how to answer. Only numbers on the roster get an answer.
   */
  private async answerBack(phone: string, answered: string[]): Promise<void> {
    const [contact] = await this.dataSource.query<Array<{ id: string; person_id: string }>>(
      `SELECT id, person_id FROM contact_methods WHERE address = $1 AND channel = 'sms' AND invalid_at IS NULL ORDER BY priority, id LIMIT 1`,
      [phone],
    );
    if (!contact) {
      return;
    }
    const now = this.clock.now();
    const to = { personId: contact.person_id, contactMethodId: { channel: 'sms' as const, id: contact.id } };
    let notice: NewNotice;
    if (answered.length > 0) {
      const warnings = await this.dataSource.query<Array<{ id: string; headline: string }>>(
        `SELECT DISTINCT w.id, w.headline FROM call_tasks t JOIN warnings w ON w.id = t.warning_id WHERE t.id = ANY($1::uuid[]) ORDER BY w.id`,
        [answered],
      );
      const what = warnings.length === 1 ? warnings[0].headline : `${warnings[0].headline}等 ${warnings.length} 条预警`;
      notice = {
        ...to,
        kind: 'reply_confirmation',
        warningId: warnings[0].id,
        dedupeKey: `reply-ack-${[...answered].sort().join('-')}`.slice(0, 200),
        subject: `已确认收到：${what}`,
        body: '如需上报到岗或转移情况，请打开预警短信中的链接',
      };
    } else {
      const phoneDesk = this.config.ack.dutyDeskPhone;
      notice = {
        ...to,
        kind: 'reply_help',
        dedupeKey: `reply-help-${contact.id}-${Math.floor(now.getTime() / HELP_WINDOW_MS)}`,
        subject: '未找到您待确认的叫应',
        body: `确认收到预警请回复1，或回复预警短信链接末尾的10位代码${phoneDesk ? `；值班电话 ${phoneDesk}` : ''}`,
      };
    }
    const ids = await this.dataSource.transaction((tx) => this.notices.write(tx, [notice], now));
    await this.jobs.sendNotices(ids);
  }

  /**
   * A keypress of 1 answers the call. Alibaba's report names the call by our idempotency key (OutId), so it counts
   * even before the call's status write. Tencent's names it by CallId only: while a voice attempt to that number
   * still awaits its status write, the callback is refused for now (503) so that it comes again.
   */
  async keypress(
    call: { outId: string } | { carrier: string; callId: string; mobile: string; nationCode: string },
    digits: string,
  ): Promise<string | null> {
    if (!digits.split('').includes('1')) {
      return null;
    }
    const [where, params] =
      'outId' in call
        ? ['a.idempotency_key = $1', [call.outId]]
        : [`a.provider_message_id = $1 AND a.provider LIKE $2 || '%'`, [call.callId, call.carrier]];
    const [task] = await this.dataSource.query<Array<{ id: string; person_id: string }>>(
      `SELECT t.id, t.person_id FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE ${where} AND a.channel = 'voice'`,
      params,
    );
    if (!task) {
      if ('callId' in call && (await this.callBeingRecorded(normalizePhone(call.mobile, call.nationCode)))) {
        throw new TransientError('call not recorded yet, send the keypress again（通话记录尚未写入，请稍后重发）');
      }
      return null;
    }
    await this.acks.acknowledge(
      task.id,
      task.person_id,
      { response: 'received' },
      'keypress',
      `person:${task.person_id}`,
    );
    return task.id;
  }

  private async callBeingRecorded(phone: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM contact_methods c JOIN attempts a ON a.contact_method_id = c.id
       WHERE c.address = $1 AND a.channel = 'voice' AND a.status = 'sending' LIMIT 1`,
      [phone],
    );
    return rows.length > 0;
  }
}
