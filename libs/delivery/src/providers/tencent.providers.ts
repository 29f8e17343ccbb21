import type { Clock } from '@app/common';
import type { MessageTemplates } from '../content/templates';
import { toPositional } from '../content/templates';
import { tc3Headers } from '../signing/tc3';
import { callProvider, ProviderResult, SmsProvider, SmsSend, usedParams } from './provider';

export interface TencentSettings {
  name: string;
  endpoint: string;
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  region: string;
  timeoutMs: number;
}

interface SendSmsAnswer {
  Response?: {
    Error?: { Code: string; Message: string };
    SendStatusSet?: Array<{ SerialNo: string; PhoneNumber: string; Code: string; Message: string }>;
    RequestId?: string;
  };
}

/** Tencent Cloud SMS accepts at most 200 numbers per SendSms. */
const MAX_NUMBERS = 200;
const INVALID_NUMBER = ['InvalidParameterValue.IncorrectPhoneNumber'];
const BLOCKED = ['FailedOperation.PhoneNumberInBlacklist', 'FailedOperation.PhoneNumberOnBlacklist'];

function readAnswer(status: number, body: SendSmsAnswer): ProviderResult {
  const r = body.Response;
  if (status !== 200 || !r) {
    return { ok: false, kind: 'provider', code: `HTTP${status}`, error: `HTTP ${status}` };
  }
  if (r.Error) {
    const code = r.Error.Code;
    const error = `${code}: ${r.Error.Message}`.slice(0, 400);
    return INVALID_NUMBER.includes(code)
      ? { ok: false, kind: 'recipient', code, error, invalidNumber: true }
      : { ok: false, kind: 'provider', code, error };
  }
  const set = r.SendStatusSet ?? [];
  const sent = set.filter((s) => s.Code === 'Ok');
  if (sent.length > 0) {
    return { ok: true, messageIds: sent.map((s) => s.SerialNo), rejected: set.length - sent.length };
  }
  const first = set[0] ?? { Code: 'Empty', Message: 'no SendStatusSet' };
  const error = `${first.Code}: ${first.Message}`.slice(0, 400);
  if (INVALID_NUMBER.includes(first.Code) || BLOCKED.includes(first.Code)) {
    return { ok: false, kind: 'recipient', code: first.Code, error, invalidNumber: INVALID_NUMBER.includes(first.Code) };
  }
  return { ok: false, kind: first.Code.startsWith('LimitExceeded.PhoneNumber') ? 'retry' : 'provider', code: first.Code, error };
}

/** Tencent Cloud SMS SendSms (API 2021-01-11, TC3-HMAC-SHA256); SessionContext carries our idempotency key. */
export class TencentSmsProvider implements SmsProvider {
  readonly carrier = 'tencent' as const;
  readonly name: string;
  private readonly host: string;

  constructor(
    private readonly s: TencentSettings,
    private readonly templates: MessageTemplates,
    private readonly clock: Clock,
  ) {
    this.name = s.name;
    this.host = new URL(s.endpoint).host;
  }

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

  private async sendPart(req: SmsSend, phones: string[], part: number): Promise<ProviderResult> {
    const { names } = toPositional(req.message.template.text);
    const payload = JSON.stringify({
      PhoneNumberSet: phones.map((p) => (p.startsWith('+') ? p : `+86${p}`)),
      SmsSdkAppId: this.s.sdkAppId,
      SignName: req.signName,
      TemplateId: this.templates.carrierCode(req.message.template, 'tencent'),
      TemplateParamSet: Object.values(usedParams(req.message, names)),
      SessionContext: part === 0 ? req.idempotencyKey : `${req.idempotencyKey}-p${part}`,
    });
    const headers = tc3Headers(
      { host: this.host, service: 'sms', action: 'SendSms', version: '2021-01-11', region: this.s.region, payload, timestamp: Math.floor(this.clock.now().getTime() / 1000) },
      this.s.secretId,
      this.s.secretKey,
    );
    delete headers.Host;
    return callProvider<SendSmsAnswer>(this.s.endpoint, { method: 'POST', headers, body: payload }, this.s.timeoutMs, readAnswer);
  }
}
