import type { Clock } from '@app/common';
import { toPositional } from '../content/templates';
import { tc3Headers } from '../signing/tc3';
import {
  callProvider,
  CarrierProvider,
  ProviderFailure,
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

export interface TencentSettings {
  name: string;
  endpoint: string;
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId for SMS, VoiceSdkAppid for voice: each product has its own application. */
  sdkAppId: string;
  region: string;
  timeoutMs: number;
}

/** Every Tencent Cloud API 3.0 answer: the action's fields, or Error, inside Response. */
interface Tc3Answer<T> {
  Response?: T & { Error?: { Code: string; Message: string }; RequestId?: string };
}

type SendSmsAnswer = Tc3Answer<{
  SendStatusSet?: Array<{ SerialNo: string; PhoneNumber: string; Code: string; Message: string }>;
}>;
type SendTtsVoiceAnswer = Tc3Answer<{ SendStatus?: { CallId?: string; SessionContext?: string } }>;

/** Tencent Cloud SMS accepts at most 200 numbers per SendSms. */
const MAX_NUMBERS = 200;
const SMS_INVALID_NUMBER = ['InvalidParameterValue.IncorrectPhoneNumber'];
const SMS_BLOCKED = ['FailedOperation.PhoneNumberInBlacklist', 'FailedOperation.PhoneNumberOnBlacklist'];
const VOICE_INVALID_NUMBER = ['InvalidParameterValue.CalledNumberVerifyFail'];
/** 下发语音消息时命中频率限制策略: too many calls to this number for now. */
const VOICE_PER_NUMBER_LIMIT = ['LimitExceeded.DeliveryFrequencyLimit'];

/** A Tencent error code by whose problem it is: the number's (permanent), the number's for now (retry), or the provider's. */
function failure(
  code: string,
  message: string,
  rules: { invalid: string[]; blocked?: string[]; retry: (code: string) => boolean },
): ProviderFailure {
  const error = `${code}: ${message}`.slice(0, 400);
  if (rules.invalid.includes(code) || rules.blocked?.includes(code)) {
    return { ok: false, kind: 'recipient', code, error, invalidNumber: rules.invalid.includes(code) };
  }
  return { ok: false, kind: rules.retry(code) ? 'retry' : 'provider', code, error };
}

/** E.164 as Tencent wants it: +86 and the number, a landline without its trunk 0. */
export function e164(phone: string): string {
  return phone.startsWith('+') ? phone : `+86${phone.replace(/^0/, '')}`;
}

/** POST a TC3-HMAC-SHA256-signed JSON action; a non-200 or an answer without Response is the provider's failure. */
async function tc3Call<T>(
  s: TencentSettings,
  clock: Clock,
  api: { service: string; action: string; version: string },
  body: Record<string, unknown>,
  read: (r: NonNullable<Tc3Answer<T>['Response']>) => ProviderResult,
): Promise<ProviderResult> {
  const payload = JSON.stringify(body);
  const host = new URL(s.endpoint).host;
  const headers = tc3Headers(
    { ...api, host, region: s.region, payload, timestamp: Math.floor(clock.now().getTime() / 1000) },
    s.secretId,
    s.secretKey,
  );
  delete headers.Host;
  return callProvider<Tc3Answer<T>>(
    s.endpoint,
    { method: 'POST', headers, body: payload },
    s.timeoutMs,
    (status, answer) =>
      status === 200 && answer.Response
        ? read(answer.Response)
        : { ok: false, kind: 'provider', code: `HTTP${status}`, error: `HTTP ${status}` },
  );
}

function readSendSms(r: NonNullable<SendSmsAnswer['Response']>): ProviderResult {
  if (r.Error) {
    return failure(r.Error.Code, r.Error.Message, { invalid: SMS_INVALID_NUMBER, retry: () => false });
  }
  const set = r.SendStatusSet ?? [];
  const sent = set.filter((s) => s.Code === 'Ok');
  if (sent.length > 0) {
    return { ok: true, messageIds: sent.map((s) => s.SerialNo), rejected: set.length - sent.length };
  }
  const first = set[0] ?? { Code: 'Empty', Message: 'no SendStatusSet' };
  return failure(first.Code, first.Message, {
    invalid: SMS_INVALID_NUMBER,
    blocked: SMS_BLOCKED,
    retry: (c) => c.startsWith('LimitExceeded.PhoneNumber'),
  });
}

function readSendTtsVoice(r: NonNullable<SendTtsVoiceAnswer['Response']>): ProviderResult {
  if (r.Error) {
    return failure(r.Error.Code, r.Error.Message, {
      invalid: VOICE_INVALID_NUMBER,
      retry: (c) => VOICE_PER_NUMBER_LIMIT.includes(c),
    });
  }
  const callId = r.SendStatus?.CallId;
  return callId
    ? { ok: true, messageIds: [callId], rejected: 0 }
    : { ok: false, kind: 'provider', code: 'Empty', error: 'Empty: no SendStatus.CallId' };
}

/** Tencent Cloud SMS SendSms (API 2021-01-11, TC3-HMAC-SHA256); SessionContext carries our idempotency key. */
export class TencentSmsProvider extends CarrierProvider<TencentSettings> implements SmsProvider {
  readonly carrier = 'tencent' as const;

  async send(req: SmsSend): Promise<ProviderResult> {
    const ids: string[] = [];
    let rejected = 0;
    for (let i = 0; i < req.phones.length; i += MAX_NUMBERS) {
      const part = await this.sendPart(req, req.phones.slice(i, i + MAX_NUMBERS), i / MAX_NUMBERS);
      if (!part.ok) {
        // A later part failing after earlier ones were accepted: keep what was accepted, retry the rest.
        return ids.length > 0 ? { ok: true, messageIds: ids, rejected: rejected + req.phones.length - i } : part;
      }
      ids.push(...part.messageIds);
      rejected += part.rejected;
    }
    return { ok: true, messageIds: ids, rejected };
  }

  /**
   * PullSmsSendStatusByPhoneNumber: the number's delivery statuses since `since`, each with its SessionContext. The
   * platform lists a message only once its receipt has come (seconds to minutes), so "not taken" can be wrong for a
   * message sent moments before a crash: then it is sent again, at most once more.
   */
  async findSent(q: SentQuery): Promise<SentLookup> {
    type Pulled = { PullSmsSendStatusSet?: Array<{ SessionContext?: string; SerialNo?: string }> };
    const body = {
      BeginTime: Math.floor(q.since.getTime() / 1000),
      Offset: 0,
      Limit: 100,
      PhoneNumber: e164(q.phone),
      SmsSdkAppId: this.s.sdkAppId,
    };
    const api = { service: 'sms', action: 'PullSmsSendStatusByPhoneNumber', version: '2021-01-11' };
    const r = await tc3Call<Pulled>(this.s, this.clock, api, body, (res) => {
      if (res.Error) {
        return failure(res.Error.Code, res.Error.Message, { invalid: [], retry: () => false });
      }
      const row = (res.PullSmsSendStatusSet ?? []).find((m) => m.SessionContext === q.idempotencyKey);
      return { ok: true, messageIds: row ? [row.SerialNo ?? ''] : [], rejected: 0 };
    });
    return sentLookup(r);
  }

  private async sendPart(req: SmsSend, phones: string[], part: number): Promise<ProviderResult> {
    const { names } = toPositional(req.message.template.text);
    return tc3Call(
      this.s,
      this.clock,
      { service: 'sms', action: 'SendSms', version: '2021-01-11' },
      {
        PhoneNumberSet: phones.map(e164),
        SmsSdkAppId: this.s.sdkAppId,
        SignName: req.signName,
        TemplateId: this.templates.carrierCode(req.message.template, 'tencent'),
        TemplateParamSet: Object.values(usedParams(req.message, names)),
        SessionContext: part === 0 ? req.idempotencyKey : `${req.idempotencyKey}-p${part}`,
      },
      readSendSms,
    );
  }
}

/**
 * Tencent Cloud VMS SendTtsVoice (语音通知, API 2020-09-02, service vms): a template read out to one number. The
 * call status and keypress come back to /providers/tencent/voice under the returned CallId; SessionContext (our
 * idempotency key) is only echoed in this answer.
 */
export class TencentVoiceProvider extends CarrierProvider<TencentSettings> implements VoiceProvider {
  readonly carrier = 'tencent' as const;

  async call(req: VoiceCall): Promise<ProviderResult> {
    const { names } = toPositional(req.message.template.text);
    return tc3Call(
      this.s,
      this.clock,
      { service: 'vms', action: 'SendTtsVoice', version: '2020-09-02' },
      {
        TemplateId: this.templates.carrierCode(req.message.template, 'tencent'),
        TemplateParamSet: Object.values(usedParams(req.message, names)),
        CalledNumber: e164(req.phone),
        VoiceSdkAppid: this.s.sdkAppId,
        // Tencent plays a notice at most 3 times.
        PlayTimes: Math.min(Math.max(req.playTimes, 1), 3),
        SessionContext: req.idempotencyKey,
      },
      readSendTtsVoice,
    );
  }
}
