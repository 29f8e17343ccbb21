import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ManualClock, waitFor } from '@app/common';
import { loadEnv } from '@app/config';
import { CarrierNetwork, TencentApi, verifyTc3 } from '@app/simulators';
import type { ComposedText } from '../content/compose';
import { MessageTemplates } from '../content/templates';
import { tc3Headers } from '../signing/tc3';
import { ProviderRegistry } from './provider-registry';
import { TencentVoiceProvider } from './tencent.providers';

const templates = MessageTemplates.load(join(__dirname, '../../../../config/templates'));
const clock = new ManualClock(new Date());
const KEYS = { secrets: { AKIDvoice: 'voice-secret-key' }, smsAppId: '1400000001', voiceAppId: '1400000002' };
const message: ComposedText = {
  template: { channel: 'voice', key: 'blue', text: '${drill}您好，这里是叫应预警平台。${headline}。${instruction}。' },
  params: { drill: '', headline: '丰都县气象台发布暴雨蓝色预警信号', instruction: '注意防范' },
  text: '您好，这里是叫应预警平台。丰都县气象台发布暴雨蓝色预警信号。注意防范。',
};

/** Canned Tencent errors by called number; /sim is the simulator's Tencent front. */
const CANNED: Record<string, { Code: string; Message: string } | 'http500'> = {
  '+8613800000002': { Code: 'InvalidParameterValue.CalledNumberVerifyFail', Message: '被叫手机号码格式校验失败。' },
  '+8613800000003': { Code: 'LimitExceeded.DeliveryFrequencyLimit', Message: '下发语音消息时命中频率限制策略。' },
  '+8613800000004': { Code: 'InternalError.AccessUpstreamTimeout', Message: '访问上游超时网络。' },
  '+8613800000005': 'http500',
};

describe('TencentVoiceProvider (VMS SendTtsVoice 2020-09-02)', () => {
  let server: Server;
  let url: string;
  const seen: Array<{
    headers: IncomingHttpHeaders;
    body: Record<string, unknown>;
    signed: ReturnType<typeof verifyTc3>;
  }> = [];
  const reports: string[] = [];
  const sim = new TencentApi(
    new CarrierNetwork(
      { alibaba: templates.registry('alibaba'), tencent: templates.registry('tencent') },
      {
        smsReceipt: () => undefined,
        reply: () => undefined,
        voiceReport: (carrier, r) => reports.push(`${carrier}:${r.callId}:${r.result}`),
      },
      { receiptDelayMs: 10, callDelayMs: 10 },
    ),
    KEYS,
  );

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (req.url === '/sim') {
          const a = sim.answer(req.headers, raw, 'voice');
          res.writeHead(a.status).end(JSON.stringify(a.body));
          return;
        }
        const body = JSON.parse(raw) as Record<string, unknown>;
        seen.push({
          headers: req.headers,
          body,
          signed: verifyTc3(req.headers, raw, KEYS.secrets, clock.now().getTime()),
        });
        const canned = CANNED[body.CalledNumber as string];
        if (canned === 'http500') {
          res.writeHead(500).end('{}');
        } else if (canned) {
          res.end(JSON.stringify({ Response: { Error: canned, RequestId: 'r-1' } }));
        } else {
          res.end(
            JSON.stringify({
              Response: {
                SendStatus: { CallId: 'c2b5-call-1', SessionContext: body.SessionContext },
                RequestId: 'r-2',
              },
            }),
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const provider = (path = '/') =>
    new TencentVoiceProvider(
      {
        name: 'tencent-voice',
        endpoint: `${url}${path}`,
        secretId: 'AKIDvoice',
        secretKey: 'voice-secret-key',
        sdkAppId: '1400000002',
        region: 'ap-guangzhou',
        timeoutMs: 2000,
      },
      templates,
      clock,
    );

  it('sends the documented request, TC3-signed for the vms service, and reads the CallId', async () => {
    seen.length = 0;
    const result = await provider().call({
      phone: '13800000001',
      message,
      idempotencyKey: 'task-1-r1-voice',
      playTimes: 2,
    });
    expect(result).toEqual({ ok: true, messageIds: ['c2b5-call-1'], rejected: 0 });
    const [req] = seen;
    expect(req.signed).toEqual({ ok: true, service: 'vms' });
    expect(req.headers).toMatchObject({
      'x-tc-action': 'SendTtsVoice',
      'x-tc-version': '2020-09-02',
      'x-tc-region': 'ap-guangzhou',
    });
    expect(req.body).toEqual({
      TemplateId: templates.carrierCode(message.template, 'tencent'),
      TemplateParamSet: ['', '丰都县气象台发布暴雨蓝色预警信号', '注意防范'],
      CalledNumber: '+8613800000001',
      VoiceSdkAppid: '1400000002',
      PlayTimes: 2,
      SessionContext: 'task-1-r1-voice',
    });
  });

  it('writes a landline in E.164 without its trunk 0, and plays at most 3 times', async () => {
    seen.length = 0;
    await provider().call({ phone: '02370000000', message, idempotencyKey: 'k2', playTimes: 5 });
    expect(seen[0].body).toMatchObject({ CalledNumber: '+862370000000', PlayTimes: 3 });
  });

  it('maps Tencent errors the way SMS does: invalid number, per-number limit, provider down', async () => {
    const call = (phone: string) => provider().call({ phone, message, idempotencyKey: `k-${phone}`, playTimes: 2 });
    expect(await call('13800000002')).toMatchObject({
      ok: false,
      kind: 'recipient',
      invalidNumber: true,
      code: 'InvalidParameterValue.CalledNumberVerifyFail',
    });
    expect(await call('13800000003')).toMatchObject({
      ok: false,
      kind: 'retry',
      code: 'LimitExceeded.DeliveryFrequencyLimit',
    });
    expect(await call('13800000004')).toMatchObject({
      ok: false,
      kind: 'provider',
      code: 'InternalError.AccessUpstreamTimeout',
    });
    expect(await call('13800000005')).toMatchObject({ ok: false, kind: 'provider', code: 'HTTP500' });
  });

  it('is answered by the simulator like the real API: SendStatus with CallId; a repeated key calls again', async () => {
    const first = await provider('/sim').call({
      phone: '13800000009',
      message,
      idempotencyKey: 'sim-key-1',
      playTimes: 2,
    });
    expect(first).toMatchObject({ ok: true, messageIds: [expect.stringMatching(/^[0-9a-f-]{36}$/)] });
    // VMS is not idempotent on SessionContext: a repeat is a second call, which the simulator marks as a duplicate.
    const again = await provider('/sim').call({
      phone: '13800000009',
      message,
      idempotencyKey: 'sim-key-1',
      playTimes: 2,
    });
    expect(again).toMatchObject({ ok: true });
    expect(again).not.toEqual(first);
    const ids = [first, again].map((r) => (r as { messageIds: string[] }).messageIds[0]);
    await waitFor(() => reports.length >= 2, { what: 'both call reports' });
    expect(reports).toEqual(ids.map((id) => `tencent:${id}:answer`));
  });

  it('is refused by the simulator for a signature scoped to another service, an unknown app or template, a bad number', () => {
    const body = (over: Record<string, unknown>) =>
      JSON.stringify({
        TemplateId: templates.carrierCode(message.template, 'tencent'),
        TemplateParamSet: ['', 'a', 'b'],
        CalledNumber: '+8613800000010',
        VoiceSdkAppid: '1400000002',
        ...over,
      });
    const ask = (payload: string, service = 'vms') => {
      const h = tc3Headers(
        {
          host: 'vms.tencentcloudapi.com',
          service,
          action: 'SendTtsVoice',
          version: '2020-09-02',
          region: 'ap-guangzhou',
          payload,
          timestamp: Math.floor(Date.now() / 1000),
        },
        'AKIDvoice',
        'voice-secret-key',
      );
      const headers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
      return (sim.answer(headers, payload, 'voice').body as { Response: { Error?: { Code: string } } }).Response.Error
        ?.Code;
    };
    expect(ask(body({}))).toBeUndefined();
    expect(ask(body({}), 'sms')).toBe('AuthFailure.SignatureFailure');
    expect(ask(body({ VoiceSdkAppid: '1400000001' }))).toBe('UnauthorizedOperation.VoiceSdkAppidVerifyFail');
    expect(ask(body({ TemplateId: 'nope' }))).toBe('FailedOperation.TemplateIncorrectOrUnapproved');
    expect(ask(body({ CalledNumber: '13800000010' }))).toBe('InvalidParameterValue.CalledNumberVerifyFail');
    expect(ask(body({ PlayTimes: 4 }))).toBe('FailedOperation.InvalidParameters');
  });
});

describe('ProviderRegistry voice providers', () => {
  it('takes tencent-voice entries beside the old alibaba names, in failover order', () => {
    const config = loadEnv({ VOICE_PROVIDERS: 'tencent-voice,alibaba-sim,tencent-sim', SIMULATOR_PORT: '3999' });
    const voice = new ProviderRegistry(config, templates, clock).voice;
    expect(voice.map((p) => [p.name, p.carrier])).toEqual([
      ['tencent-voice', 'tencent'],
      ['alibaba-voice-sim', 'alibaba'],
      ['tencent-voice-sim', 'tencent'],
    ]);
    expect(voice[0]).toBeInstanceOf(TencentVoiceProvider);
    expect(() => loadEnv({ VOICE_PROVIDERS: 'tencent-voice,huawei' })).toThrow('VOICE_PROVIDERS');
  });

  it('carries voice on Alibaba then Tencent by default', () => {
    expect(new ProviderRegistry(loadEnv({}), templates, clock).voice.map((p) => p.name)).toEqual([
      'alibaba-voice-sim',
      'tencent-voice-sim',
    ]);
  });
});
