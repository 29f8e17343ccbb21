import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MessageTemplates } from '@app/delivery';
import { CallbackOutbox } from './carrier/callback-outbox';
import { CarrierApi } from './carrier/carrier-api';
import { CarrierNetwork } from './carrier/carrier-sim';
import { LoudspeakerSimulator } from './devices/loudspeaker-sim';
import { WebhookReceiver } from './hooks/webhook-receiver';
import { simulatorHttp } from './simulator-http';
import { SmtpSink } from './smtp-sink';

export interface SimulatorOptions {
  host: string;
  /** 0 = any free port. */
  httpPort: number;
  smtpPort: number;
  templatesDir: string;
  /** Our API, where receipts, call results and replies are posted. */
  callbackUrl: string;
  callbackSecret: string;
  alibaba: { accessKeyId: string; accessKeySecret: string };
  tencent: { secretId: string; secretKey: string; sdkAppId: string };
  /** Loudspeakers on this broker; none when omitted. */
  mqtt?: { url: string; topicPrefix: string };
  /** Receipts come this long after acceptance (carriers take seconds; default 1 s). */
  receiptDelayMs?: number;
  /** A call's result comes this long after it was placed (default 2 s). */
  callDelayMs?: number;
}

export interface Simulators {
  http: Server;
  httpPort: number;
  smtpPort: number;
  mail: SmtpSink;
  network: CarrierNetwork;
  hooks: WebhookReceiver;
  speakers: LoudspeakerSimulator | null;
  outbox: CallbackOutbox;
  /** Where the callbacks go; tests that learn the API port late can change it. */
  callbackUrl: string;
  stop(): Promise<void>;
}

const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

/** Every local stand-in for a third party: SMTP capture, the SMS/voice carriers, webhook receivers, loudspeakers. */
export async function startSimulators(o: SimulatorOptions): Promise<Simulators> {
  const templates = MessageTemplates.load(o.templatesDir);
  const handle = { callbackUrl: o.callbackUrl.replace(/\/$/, '') } as Simulators;
  const outbox = new CallbackOutbox(() => handle.callbackUrl, o.callbackSecret);
  let sequence = 0;
  const network = new CarrierNetwork(
    { alibaba: templates.registry('alibaba'), tencent: templates.registry('tencent') },
    {
      smsReceipt(carrier, r) {
        const now = Date.now();
        if (carrier === 'alibaba') {
          outbox.push('/providers/alibaba/sms-report', {
            phone_number: r.phone, send_time: beijing(now - 1000), report_time: beijing(now), success: r.delivered,
            err_code: r.code, err_msg: r.delivered ? '用户接收成功' : '用户接收失败', sms_size: '1', biz_id: r.messageId, out_id: r.outId,
          });
        } else {
          outbox.push('/providers/tencent/sms-status', {
            user_receive_time: beijing(now), nationcode: '86', mobile: r.phone, report_status: r.delivered ? 'SUCCESS' : 'FAIL',
            errmsg: r.delivered ? 'DELIVRD' : r.code, description: r.delivered ? '用户短信送达成功' : '用户短信接收失败', sid: r.messageId,
          });
        }
      },
      voiceReport(r) {
        const now = Date.now();
        outbox.push('/providers/alibaba/voice-report', {
          call_id: r.callId, start_time: beijing(now - 15_000), end_time: beijing(now), duration: r.answered ? '15' : '0',
          status_code: r.code, status_msg: r.answered ? '用户听完自动挂断' : '用户未接听', out_id: r.outId, dtmf: r.dtmf,
        });
      },
      reply(carrier, r) {
        if (carrier === 'alibaba') {
          outbox.push('/providers/alibaba/sms-up', {
            phone_number: r.phone, send_time: beijing(Date.now()), content: r.text, sign_name: '', dest_code: '1069', sequence_id: ++sequence,
          });
        } else {
          outbox.push('/providers/tencent/sms-reply', { extend: '', mobile: r.phone, nationcode: '86', sign: '', text: r.text, time: Math.floor(Date.now() / 1000) }, true);
        }
      },
    },
    { receiptDelayMs: o.receiptDelayMs ?? 1000, callDelayMs: o.callDelayMs ?? 2000 },
  );
  const carrier = new CarrierApi(network, {
    alibaba: { [o.alibaba.accessKeyId]: o.alibaba.accessKeySecret },
    tencent: { [o.tencent.secretId]: o.tencent.secretKey },
    tencentAppId: o.tencent.sdkAppId,
  });
  const mail = new SmtpSink();
  const smtpPort = await mail.listen(o.smtpPort, o.host);
  const hooks = new WebhookReceiver();
  const speakers = o.mqtt ? new LoudspeakerSimulator(o.mqtt.url, o.mqtt.topicPrefix) : null;
  await speakers?.start();
  const http = simulatorHttp({ mail, network, carrier, hooks, speakers: speakers ?? undefined });
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.httpPort, o.host, () => resolve());
  });
  return Object.assign(handle, {
    http,
    httpPort: (http.address() as AddressInfo).port,
    smtpPort,
    mail,
    network,
    hooks,
    speakers,
    outbox,
    async stop() {
      outbox.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await mail.close();
      await speakers?.stop();
    },
  });
}
