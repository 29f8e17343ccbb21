import { chinaDate, type Clock } from '@app/common';
import { toPositional } from '../content/templates';
import { signedRpcParams } from '../signing/alibaba-rpc';
import {
  callProvider,
  CarrierProvider,
  ProviderResult,
  SentLookup,
  sentLookup,
  SentQuery,
  SmsProvider,
  SmsSend,
  usedParams,
  VoiceCall,
  VoiceProvider,
} from './provider';

export interface AlibabaSettings {
  name: string;
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  timeoutMs: number;
}

interface RpcAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
  CallId?: string;
  RequestId?: string;
}

const INVALID_NUMBER = ['isv.MOBILE_NUMBER_ILLEGAL'];
const BLOCKED = ['isv.BLACK_KEY_CONTROL_LIMIT', 'isv.PHONE_NUMBER_IN_BLACKLIST'];
const PER_NUMBER_LIMIT = ['isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL'];

/** Alibaba Cloud's RPC answers: Code 'OK', or a code that says whose problem it is. */
function readAnswer(status: number, body: RpcAnswer, id: 'BizId' | 'CallId'): ProviderResult {
  const code = body.Code ?? `HTTP${status}`;
  const error = `${code}: ${body.Message ?? ''}`.slice(0, 400);
  if (status === 200 && code === 'OK' && body[id]) {
    return { ok: true, messageIds: [body[id]], rejected: 0 };
  }
  if (INVALID_NUMBER.includes(code) || BLOCKED.includes(code)) {
    return { ok: false, kind: 'recipient', code, error, invalidNumber: INVALID_NUMBER.includes(code) };
  }
  if (PER_NUMBER_LIMIT.includes(code)) {
    return { ok: false, kind: 'retry', code, error };
  }
  return { ok: false, kind: 'provider', code, error };
}

async function rpc<T = RpcAnswer>(
  s: AlibabaSettings,
  clock: Clock,
  action: string,
  params: Record<string, string>,
  read: (status: number, body: T) => ProviderResult,
) {
  const form = signedRpcParams(action, '2017-05-25', params, s, clock.now());
  return callProvider<T>(
    s.endpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    },
    s.timeoutMs,
    read,
  );
}

interface SendDetails extends RpcAnswer {
  SmsSendDetailDTOs?: { SmsSendDetailDTO?: Array<{ OutId?: string; SendStatus?: number }> };
}

const DAY_MS = 24 * 3600_000;

/**
 * The China (UTC+8) days, yyyyMMdd, from `since` to `now` (QuerySendDetails asks one day at a time). A `since` after
 * `now` (a row stamped by a clock ahead of ours) gives today only: counting days up from it towards an earlier `now`
 * never arrived, and a dispatcher spun there for good.
 */
export function chinaDays(since: Date, now: Date): string[] {
  const day = (ms: number) => chinaDate(ms).replace(/-/g, '');
  const today = day(now.getTime());
  const days = [day(Math.min(since.getTime(), now.getTime()))];
  for (let t = Math.min(since.getTime(), now.getTime()); days[days.length - 1] !== today; t += DAY_MS) {
    days.push(day(t + DAY_MS));
  }
  return days;
}

/** dysmsapi SendSms (same text to up to 1000 numbers), signed with the RPC signature; OutId carries our key. */
export class AlibabaSmsProvider extends CarrierProvider<AlibabaSettings> implements SmsProvider {
  readonly carrier = 'alibaba' as const;

  async send(req: SmsSend): Promise<ProviderResult> {
    const names = toPositional(req.message.template.text).names;
    return rpc(
      this.s,
      this.clock,
      'SendSms',
      {
        PhoneNumbers: req.phones.join(','),
        SignName: req.signName,
        TemplateCode: this.templates.carrierCode(req.message.template, 'alibaba'),
        TemplateParam: JSON.stringify(usedParams(req.message, names)),
        OutId: req.idempotencyKey,
      },
      (status, body) => readAnswer(status, body, 'BizId'),
    );
  }

  /**
   * QuerySendDetails for the number, day by day: the newest 50 messages of each day are enough for one person's
   * calls. A message whose SendStatus is 2 (failed at the carrier) does not count as taken.
   */
  async findSent(q: SentQuery): Promise<SentLookup> {
    for (const day of chinaDays(q.since, this.clock.now())) {
      const params = { PhoneNumber: q.phone, SendDate: day, PageSize: '50', CurrentPage: '1' };
      const r = await rpc<SendDetails>(this.s, this.clock, 'QuerySendDetails', params, (status, body) => {
        if (status !== 200 || body.Code !== 'OK') {
          return readAnswer(status, body, 'BizId');
        }
        const rows = body.SmsSendDetailDTOs?.SmsSendDetailDTO ?? [];
        const found = rows.some((m) => m.OutId === q.idempotencyKey && m.SendStatus !== 2);
        // Its rows carry no BizId: the message is known as taken, by no id of the provider's.
        return { ok: true, messageIds: found ? [''] : [], rejected: 0 };
      });
      const lookup = sentLookup(r);
      if (!lookup.ok || lookup.taken) {
        return lookup;
      }
    }
    return { ok: true, taken: false, messageId: null };
  }
}

/** dyvmsapi SingleCallByTts: a text-to-speech call; the call result (and keypress) come back as a VoiceReport. */
export class AlibabaVoiceProvider
  extends CarrierProvider<AlibabaSettings & { showNumber: string }>
  implements VoiceProvider
{
  readonly carrier = 'alibaba' as const;

  async call(req: VoiceCall): Promise<ProviderResult> {
    const names = toPositional(req.message.template.text).names;
    return rpc(
      this.s,
      this.clock,
      'SingleCallByTts',
      {
        CalledShowNumber: this.s.showNumber,
        CalledNumber: req.phone,
        TtsCode: this.templates.carrierCode(req.message.template, 'alibaba'),
        TtsParam: JSON.stringify(usedParams(req.message, names)),
        PlayTimes: String(req.playTimes),
        OutId: req.idempotencyKey,
      },
      (status, body) => readAnswer(status, body, 'CallId'),
    );
  }
}
