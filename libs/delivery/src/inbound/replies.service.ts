import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskPhone, TransientError } from '@app/common';
import { EventLog } from '@app/database';
import { AckService } from '@app/response';
import { normalizePhone } from '../attempts/contacts';

const RECEIVED = /^(1|确认|收到|已收到)$/;
const ANSWERABLE = ['pending', 'sent', 'escalated', 'unreachable'];

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
        [phone, ANSWERABLE],
      );
    } else if (/^[A-Za-z0-9_-]{10}$/.test(reply)) {
      tasks = await this.dataSource.query(
        `SELECT t.id, t.person_id FROM short_links s JOIN call_tasks t ON t.id = s.call_task_id
         JOIN contact_methods c ON c.person_id = t.person_id AND c.address = $2
         WHERE s.code = $1 LIMIT 1`,
        [reply, phone],
      );
    }
    for (const t of tasks) {
      await this.acks.acknowledge(t.id, t.person_id, { response: 'received' }, 'sms_reply', `person:${t.person_id}`);
    }
    if (tasks.length === 0) {
      await this.events.append({ type: 'SmsReplyUnmatched', data: { phone: maskPhone(phone), text: reply.slice(0, 70) } });
      this.logger.log({ msg: 'sms reply matched no open call', phone: maskPhone(phone) });
    }
    return { acknowledged: tasks.map((t) => t.id) };
  }

  /**
   * A keypress of 1 answers the call. Alibaba's report names the call by our idempotency key (OutId), so it counts
   * even before the call's status write. Tencent's names it by CallId only: while a voice attempt to that number
   * still awaits its status write, the callback is refused for now (503) so that it comes again.
   */
  async keypress(call: { outId: string } | { carrier: string; callId: string; mobile: string; nationCode: string }, digits: string): Promise<string | null> {
    if (!digits.split('').includes('1')) {
      return null;
    }
    const [where, params] = 'outId' in call
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
    await this.acks.acknowledge(task.id, task.person_id, { response: 'received' }, 'keypress', `person:${task.person_id}`);
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
