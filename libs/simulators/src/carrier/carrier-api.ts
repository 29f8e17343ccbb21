import { CHINA_OFFSET_MS, chinaDateTime } from '@app/common';
import { Answer, CarrierNetwork, parseJson, requestId } from './carrier-sim';
import { TencentApi } from './tencent-api';
import { verifyAlibabaRequest } from './verify-alibaba';

export interface CarrierKeys {
  alibaba: Record<string, string>;
  tencent: Record<string, string>;
  tencentAppId: string;
  tencentVoiceAppId: string;
}

/**
 * The providers' HTTP APIs as the simulator speaks them: Alibaba dysmsapi (SendSms, SendBatchSms, QuerySendDetails) and dyvmsapi
 * (SingleCallByTts) with the RPC signature here, Tencent SMS and VMS (TC3-HMAC-SHA256) in `tencent`. Bad
 * signatures, unknown keys, stale timestamps and unregistered templates are refused like the real platforms refuse them.
 */
export class CarrierApi {
  private readonly nonces = new Set<string>();
  readonly tencent: TencentApi;

  constructor(
    private readonly net: CarrierNetwork,
    private readonly keys: CarrierKeys,
  ) {
    this.tencent = new TencentApi(net, {
      secrets: keys.tencent,
      smsAppId: keys.tencentAppId,
      voiceAppId: keys.tencentVoiceAppId,
    });
  }

  alibaba(method: string, params: Record<string, string>, product: 'sms' | 'voice'): Answer {
    const RequestId = requestId();
    const fail = (status: number, Code: string, Message: string): Answer => ({
      status,
      body: { RequestId, Code, Message },
    });
    const check = verifyAlibabaRequest(method, params, this.keys.alibaba, this.nonces);
    if (!check.ok) {
      return fail(check.status, check.code, check.message);
    }
    if (this.net.mode('alibaba') === 'error') {
      return fail(500, 'isp.SYSTEM_ERROR', '系统错误（模拟故障）');
    }
    if (product === 'voice') {
      return params.Action === 'SingleCallByTts'
        ? this.singleCallByTts(params, RequestId)
        : fail(404, 'InvalidAction.NotFound', 'Specified api is not found');
    }
    if (params.Action === 'SendSms') {
      const phones = (params.PhoneNumbers ?? '').split(',').filter(Boolean);
      if (phones.length === 0 || phones.length > 1000) {
        return fail(200, 'isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
      }
      return this.sendSms(
        phones,
        params.SignName,
        params.TemplateCode,
        [parseJson<Record<string, string>>(params.TemplateParam, {})],
        params.OutId ?? '',
        RequestId,
      );
    }
    if (params.Action === 'QuerySendDetails') {
      return this.querySendDetails(params, RequestId);
    }
    if (params.Action === 'SendBatchSms') {
      const phones = parseJson<string[]>(params.PhoneNumberJson, []);
      const signs = parseJson<string[]>(params.SignNameJson, []);
      const values = parseJson<Array<Record<string, string>>>(params.TemplateParamJson, []);
      if (phones.length === 0 || phones.length > 100 || signs.length !== phones.length) {
        return fail(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法');
      }
      return this.sendSms(phones, signs[0], params.TemplateCode, values, params.OutId ?? '', RequestId);
    }
    return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  }

  private sendSms(
    phones: string[],
    signName: string | undefined,
    code: string | undefined,
    values: Array<Record<string, string>>,
    outId: string,
    RequestId: string,
  ): Answer {
    if (!signName) {
      return { status: 200, body: { RequestId, Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '签名不合法' } };
    }
    const texts = values.map((v) => this.net.render('alibaba', code ?? '', v));
    if (texts.length === 0 || texts.some((t) => t === null)) {
      return {
        status: 200,
        body: { RequestId, Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '模板不合法(不存在或被拉黑)' },
      };
    }
    let bizId = '';
    const refused: string[] = [];
    if (texts.length === 1) {
      const answer = this.net.submitSms('alibaba', phones, signName, texts[0] as string, outId);
      if (!answer.ok) {
        return { status: 200, body: { RequestId, Code: answer.code, Message: answer.message } };
      }
      bizId = answer.id;
      refused.push(...answer.refused.map((r) => r.code));
    } else {
      phones.forEach((p, i) => {
        const answer = this.net.submitSms('alibaba', [p], signName, texts[i] as string, outId ? `${outId}-${i}` : '');
        bizId = bizId || (answer.ok ? answer.id : '');
        refused.push(...(answer.ok ? answer.refused.map((r) => r.code) : []));
      });
    }
    // One number refused in a single-number request refuses the request, as the platform does.
    if (phones.length === 1 && refused.length === 1) {
      return refused[0] === 'blacklisted'
        ? { status: 200, body: { RequestId, Code: 'isv.BLACK_KEY_CONTROL_LIMIT', Message: '黑名单管控' } }
        : { status: 200, body: { RequestId, Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' } };
    }
    return { status: 200, body: { RequestId, Code: 'OK', Message: 'OK', BizId: bizId } };
  }

  /**
   * QuerySendDetails: one number's messages of one day (yyyyMMdd, China time), newest first, paged by 1–50; each with
   * its OutId and SendStatus 1 (waiting for its receipt), 2 (failed) or 3 (delivered), as the platform lists them.
   */
  private querySendDetails(params: Record<string, string>, RequestId: string): Answer {
    const pageSize = Number(params.PageSize);
    const page = Number(params.CurrentPage ?? '1');
    if (
      !/^1\d{10}$/.test(params.PhoneNumber ?? '') ||
      !/^\d{8}$/.test(params.SendDate ?? '') ||
      !(pageSize >= 1 && pageSize <= 50) ||
      !(page >= 1)
    ) {
      return { status: 400, body: { RequestId, Code: 'isv.INVALID_PARAMETERS', Message: '参数异常' } };
    }
    const day = chinaDay(params.SendDate);
    const all = this.net
      .sentTo('alibaba', params.PhoneNumber, day)
      .filter((m) => m.atMs < day + 24 * 3600_000 && (!params.BizId || m.id === params.BizId))
      .reverse();
    const rows = all.slice((page - 1) * pageSize, page * pageSize).map((m) => ({
      PhoneNum: m.to,
      SendStatus: m.receipt ? (m.receipt.delivered ? 3 : 2) : 1,
      ErrCode: m.receipt?.code ?? '',
      Content: m.text,
      SendDate: chinaDateTime(m.atMs),
      ReceiveDate: m.receipt ? chinaDateTime(m.receipt.atMs) : '',
      OutId: m.outId,
    }));
    return {
      status: 200,
      body: {
        RequestId,
        Code: 'OK',
        Message: 'OK',
        TotalCount: all.length,
        SmsSendDetailDTOs: { SmsSendDetailDTO: rows },
      },
    };
  }

  private singleCallByTts(params: Record<string, string>, RequestId: string): Answer {
    const text = this.net.render(
      'alibaba',
      params.TtsCode ?? '',
      parseJson<Record<string, string>>(params.TtsParam, {}),
    );
    if (text === null) {
      return { status: 200, body: { RequestId, Code: 'isv.TTS_TEMPLATE_ILLEGAL', Message: 'TTS模板不存在' } };
    }
    const answer = this.net.call('alibaba', params.CalledNumber ?? '', text, params.OutId ?? '');
    if (!answer.ok) {
      return { status: 200, body: { RequestId, Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '号码格式错误' } };
    }
    return { status: 200, body: { RequestId, Code: 'OK', Message: 'OK', CallId: answer.id } };
  }
}

/** Midnight of a yyyyMMdd day in China (UTC+8), as epoch ms. */
function chinaDay(yyyymmdd: string): number {
  return (
    Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))) -
    CHINA_OFFSET_MS
  );
}
