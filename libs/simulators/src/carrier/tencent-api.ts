import type { IncomingHttpHeaders } from 'node:http';
import { Answer, CarrierNetwork, parseJson, requestId } from './carrier-sim';
import { verifyTc3 } from './verify-tc3';

export interface TencentKeys {
  /** SecretId → SecretKey. */
  secrets: Record<string, string>;
  smsAppId: string;
  voiceAppId: string;
}

/** Each product's endpoint: the service its signature must name, its one action, and what it says when down. */
const PRODUCTS = {
  sms: {
    service: 'sms',
    action: 'SendSms',
    version: '2021-01-11',
    down: ['InternalError.Timeout', '请求下发短信超时（模拟故障）'],
  },
  voice: {
    service: 'vms',
    action: 'SendTtsVoice',
    version: '2020-09-02',
    down: ['InternalError.AccessUpstreamTimeout', '访问上游超时网络，请稍后重试（模拟故障）'],
  },
} as const;

type Reply = (fields: Record<string, unknown>) => Answer;
type Refuse = (code: string, message: string) => Answer;

/** +86 and the number → ours: a mobile as is, a landline with its trunk 0. */
const local = (e164: string): string | null => {
  const m = /^\+86(\d{9,12})$/.exec(e164);
  return m ? (m[1].startsWith('1') ? m[1] : `0${m[1]}`) : null;
};

/**
 * Tencent Cloud API 3.0 as the simulator speaks it: SMS SendSms 2021-01-11 and VMS (语音消息) SendTtsVoice
 * 2020-09-02. TC3-HMAC-SHA256 is checked, and its credential scope must name the endpoint's service; unknown
 * application ids and unregistered templates are refused like the real platform refuses them.
 */
export class TencentApi {
  constructor(
    private readonly net: CarrierNetwork,
    private readonly keys: TencentKeys,
  ) {}

  answer(headers: IncomingHttpHeaders, body: string, product: keyof typeof PRODUCTS): Answer {
    const RequestId = requestId().toLowerCase();
    const reply: Reply = (fields) => ({ status: 200, body: { Response: { ...fields, RequestId } } });
    const refuse: Refuse = (Code, Message) => reply({ Error: { Code, Message } });
    const p = PRODUCTS[product];
    const check = verifyTc3(headers, body, this.keys.secrets);
    if (!check.ok) {
      return refuse(check.code, check.message);
    }
    if (check.service !== p.service) {
      return refuse(
        'AuthFailure.SignatureFailure',
        `The credential scope names ${check.service}, this endpoint is ${p.service}.`,
      );
    }
    const pull = product === 'sms' && headers['x-tc-action'] === 'PullSmsSendStatusByPhoneNumber';
    if ((headers['x-tc-action'] !== p.action && !pull) || headers['x-tc-version'] !== p.version) {
      return refuse('InvalidAction', 'The requested action does not exist.');
    }
    if (this.net.mode('tencent') === 'error') {
      return refuse(p.down[0], p.down[1]);
    }
    if (pull) {
      return this.pullStatusByPhoneNumber(body, reply, refuse);
    }
    return product === 'sms' ? this.sendSms(body, reply, refuse) : this.sendTtsVoice(body, reply, refuse);
  }

  private sendSms(body: string, reply: Reply, refuse: Refuse): Answer {
    const req = parseJson<{
      PhoneNumberSet?: string[];
      SmsSdkAppId?: string;
      SignName?: string;
      TemplateId?: string;
      TemplateParamSet?: string[];
      SessionContext?: string;
    }>(body, {});
    if (req.SmsSdkAppId !== this.keys.smsAppId) {
      return refuse('FailedOperation.SmsSdkAppIdVerifyFail', 'SdkAppId 校验失败。');
    }
    const numbers = req.PhoneNumberSet ?? [];
    if (numbers.length === 0 || numbers.length > 200) {
      return refuse('LimitExceeded.PhoneNumberCountLimit', '调用接口单次提交的手机号个数超过200个。');
    }
    if (!req.SignName) {
      return refuse('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误。');
    }
    const text = this.net.render('tencent', req.TemplateId ?? '', req.TemplateParamSet ?? []);
    if (text === null) {
      return refuse('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配。');
    }
    const phones = numbers.map((n) => n.replace(/^\+86/, ''));
    const answer = this.net.submitSms('tencent', phones, req.SignName, text, req.SessionContext ?? '');
    if (!answer.ok) {
      return refuse(answer.code, answer.message);
    }
    const byPhone = new Map(answer.accepted.map((a) => [a.phone, a.id]));
    const refused = new Map(answer.refused.map((r) => [r.phone, r.code]));
    return reply({
      SendStatusSet: phones.map((p, i) => {
        const base = { PhoneNumber: numbers[i], SessionContext: req.SessionContext ?? '', IsoCode: 'CN', Fee: 1 };
        const id = byPhone.get(p);
        if (id) {
          return { ...base, SerialNo: id, Code: 'Ok', Message: 'send success' };
        }
        return refused.get(p) === 'blacklisted'
          ? {
              ...base,
              SerialNo: '',
              Fee: 0,
              Code: 'FailedOperation.PhoneNumberInBlacklist',
              Message: '手机号在免打扰名单库中',
            }
          : {
              ...base,
              SerialNo: '',
              Fee: 0,
              Code: 'InvalidParameterValue.IncorrectPhoneNumber',
              Message: '手机号格式错误',
            };
      }),
    });
  }

  /**
   * PullSmsSendStatusByPhoneNumber: one number's delivery statuses from BeginTime (unix seconds, at most 7 days back),
   * at most Limit (≤ 100). As on the platform, a message shows here only once its receipt has come.
   */
  private pullStatusByPhoneNumber(body: string, reply: Reply, refuse: Refuse): Answer {
    const req = parseJson<{
      BeginTime?: number;
      EndTime?: number;
      Offset?: number;
      Limit?: number;
      PhoneNumber?: string;
      SmsSdkAppId?: string;
    }>(body, {});
    if (req.SmsSdkAppId !== this.keys.smsAppId) {
      return refuse('FailedOperation.SmsSdkAppIdVerifyFail', 'SdkAppId 校验失败。');
    }
    const phone = local(req.PhoneNumber ?? '');
    const limit = req.Limit ?? 0;
    if (!phone || typeof req.BeginTime !== 'number' || !(limit >= 1 && limit <= 100)) {
      return refuse('InvalidParameterValue', '参数取值错误。');
    }
    const end = req.EndTime ? req.EndTime * 1000 : Infinity;
    const rows = this.net
      .sentTo('tencent', phone, req.BeginTime * 1000)
      .filter((m) => m.receipt && m.atMs <= end)
      .slice(0, limit)
      .map((m) => ({
        UserReceiveTime: Math.floor((m.receipt?.atMs ?? 0) / 1000),
        CountryCode: '86',
        SubscriberNumber: phone,
        PhoneNumber: req.PhoneNumber,
        SerialNo: m.id,
        ReportStatus: m.receipt?.delivered ? 'SUCCESS' : 'FAIL',
        Description: m.receipt?.code ?? '',
        SessionContext: m.outId,
      }));
    return reply({ PullSmsSendStatusSet: rows });
  }

  /** 语音通知: one number, a registered template read out PlayTimes (1–3) times; SessionContext comes back as sent. */
  private sendTtsVoice(body: string, reply: Reply, refuse: Refuse): Answer {
    const req = parseJson<{
      TemplateId?: string;
      TemplateParamSet?: string[];
      CalledNumber?: string;
      VoiceSdkAppid?: string;
      PlayTimes?: number;
      SessionContext?: string;
    }>(body, {});
    if (req.VoiceSdkAppid !== this.keys.voiceAppId) {
      return refuse('UnauthorizedOperation.VoiceSdkAppidVerifyFail', 'VoiceSdkAppid 校验失败。');
    }
    if (req.PlayTimes !== undefined && ![1, 2, 3].includes(req.PlayTimes)) {
      return refuse('FailedOperation.InvalidParameters', '无效参数：PlayTimes 最多3次。');
    }
    const text = this.net.render('tencent', req.TemplateId ?? '', req.TemplateParamSet ?? []);
    if (text === null) {
      return refuse(
        'FailedOperation.TemplateIncorrectOrUnapproved',
        '模版未审核或请求的内容与审核通过的模版内容不匹配。',
      );
    }
    const phone = local(req.CalledNumber ?? '');
    const answer = phone ? this.net.call('tencent', phone, text, req.SessionContext ?? '') : null;
    if (!answer?.ok) {
      return refuse('InvalidParameterValue.CalledNumberVerifyFail', '被叫手机号码格式校验失败。');
    }
    return reply({ SendStatus: { CallId: answer.id, SessionContext: req.SessionContext ?? '' } });
  }
}
