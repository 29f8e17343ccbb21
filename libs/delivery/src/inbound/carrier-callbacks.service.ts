import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/common';
import { ReceiptService, Receipt, ReceiptReport } from './receipts.service';
import { RepliesService } from './replies.service';

/** "2024-07-11 02:04:05" in Beijing time. */
function beijingTime(s: unknown): Date {
  const m = typeof s === 'string' ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(s) : null;
  return m ? new Date(`${m[1]}T${m[2]}+08:00`) : new Date();
}

function records(body: unknown, required: string[], what: string): Array<Record<string, unknown>> {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > 5000) {
    throw new ValidationError(`${what}: expected 1 to 5000 records（回调记录数量不对）`);
  }
  for (const r of list) {
    if (typeof r !== 'object' || r === null || required.some((k) => (r as Record<string, unknown>)[k] === undefined)) {
      throw new ValidationError(`${what}: every record needs ${required.join(', ')}（回调字段缺失）`);
    }
  }
  return list as Array<Record<string, unknown>>;
}

/** Unix seconds, as Tencent's voice callbacks give times. */
function unixTime(s: unknown): Date {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? new Date(n * 1000) : new Date();
}

/** voice_failure_callback failure_code 8 空号, 15 号码不存在. */
const TENCENT_DEAD_NUMBER = ['8', '15'];

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/**
 * Each provider's callback format, turned into receipts and answers: Alibaba SmsReport / SmsUp / VoiceReport
 * (JSON arrays) and Tencent's status and reply callbacks.
 */
@Injectable()
export class CarrierCallbacks {
  constructor(
    private readonly receipts: ReceiptService,
    private readonly replies: RepliesService,
  ) {}

  async alibabaSmsReport(body: unknown): Promise<ReceiptReport> {
    const list = records(body, ['biz_id', 'success'], 'SmsReport');
    return this.receipts.apply(
      list.map(
        (r): Receipt => ({
          carrier: 'alibaba',
          messageId: str(r.biz_id),
          status: r.success === true || r.success === 'true' ? 'delivered' : 'failed',
          code: str(r.err_code) || 'DELIVERED',
          at: beijingTime(r.report_time),
        }),
      ),
    );
  }

  async alibabaSmsUp(body: unknown): Promise<number> {
    let n = 0;
    for (const r of records(body, ['phone_number', 'content'], 'SmsUp')) {
      n += (await this.replies.smsReply(str(r.phone_number), str(r.content))).acknowledged.length;
    }
    return n;
  }

  /** Call results; status_code 200000 is answered. A keypress of 1 acknowledges the call task. */
  async alibabaVoiceReport(body: unknown): Promise<ReceiptReport & { keypresses: number }> {
    const list = records(body, ['call_id', 'status_code'], 'VoiceReport');
    let keypresses = 0;
    for (const r of list) {
      if (r.out_id && r.dtmf && (await this.replies.keypress({ outId: str(r.out_id) }, str(r.dtmf)))) {
        keypresses += 1;
      }
    }
    const report = await this.receipts.apply(
      list.map(
        (r): Receipt => ({
          carrier: 'alibaba',
          messageId: str(r.call_id),
          status: str(r.status_code) === '200000' ? 'delivered' : 'failed',
          code: str(r.status_code),
          at: beijingTime(r.end_time),
        }),
      ),
    );
    return { ...report, keypresses };
  }

  /**
   * Tencent VMS event callbacks, all to one URL, one object each: voicekey_callback (keypress 1 answers the call),
   * voiceprompt_callback (result 0 answered, 1 not picked up, 2 call failed) and voice_failure_callback (why; 空号 and
   * 号码不存在 mark the number dead).
   */
  async tencentVoice(body: unknown): Promise<void> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (b.voicekey_callback !== undefined) {
      const [r] = records(b.voicekey_callback, ['callid', 'keypress', 'mobile'], 'voicekey_callback');
      await this.replies.keypress(
        { carrier: 'tencent', callId: str(r.callid), mobile: str(r.mobile), nationCode: str(r.nationcode) || '86' },
        str(r.keypress),
      );
    } else if (b.voiceprompt_callback !== undefined) {
      const [r] = records(b.voiceprompt_callback, ['callid', 'result'], 'voiceprompt_callback');
      const answered = str(r.result) === '0';
      await this.receipts.apply([
        {
          carrier: 'tencent',
          messageId: str(r.callid),
          status: answered ? 'delivered' : 'failed',
          code: `prompt:${str(r.result)}`,
          at: unixTime(r.end_calltime),
        },
      ]);
    } else if (b.voice_failure_callback !== undefined) {
      const [r] = records(b.voice_failure_callback, ['callid', 'failure_code'], 'voice_failure_callback');
      const dead = TENCENT_DEAD_NUMBER.includes(str(r.failure_code));
      await this.receipts.apply([
        {
          carrier: 'tencent',
          messageId: str(r.callid),
          status: 'failed',
          code: dead ? 'EMPTY_NUMBER' : `failure:${str(r.failure_code)}`,
          at: new Date(),
        },
      ]);
    } else {
      throw new ValidationError(
        'expected voiceprompt_callback, voicekey_callback or voice_failure_callback（语音回调格式不对）',
      );
    }
  }

  async tencentSmsStatus(body: unknown): Promise<ReceiptReport> {
    const list = records(body, ['sid', 'report_status'], 'SmsStatus');
    return this.receipts.apply(
      list.map(
        (r): Receipt => ({
          carrier: 'tencent',
          messageId: str(r.sid),
          status: r.report_status === 'SUCCESS' ? 'delivered' : 'failed',
          code: str(r.errmsg) || str(r.report_status),
          at: beijingTime(r.user_receive_time),
        }),
      ),
    );
  }

  async tencentSmsReply(body: unknown): Promise<number> {
    let n = 0;
    for (const r of records(body, ['mobile', 'text'], 'SmsReply')) {
      n += (await this.replies.smsReply(str(r.mobile), str(r.text), str(r.nationcode) || '86')).acknowledged.length;
    }
    return n;
  }
}
