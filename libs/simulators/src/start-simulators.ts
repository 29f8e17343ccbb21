import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MessageTemplates } from '@app/delivery';
import { carrierCallbacks } from './carrier/callback-formats';
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
  /** `voiceSdkAppId`: the VMS application (the SMS one when omitted). */
  tencent: { secretId: string; secretKey: string; sdkAppId: string; voiceSdkAppId?: string };
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

/** Every local stand-in for a third party: SMTP capture, the SMS/voice carriers, webhook receivers, loudspeakers. */
export async function startSimulators(o: SimulatorOptions): Promise<Simulators> {
  const templates = MessageTemplates.load(o.templatesDir);
  const handle = { callbackUrl: o.callbackUrl.replace(/\/$/, '') } as Simulators;
  const outbox = new CallbackOutbox(() => handle.callbackUrl, o.callbackSecret);
  const network = new CarrierNetwork(
    { alibaba: templates.registry('alibaba'), tencent: templates.registry('tencent') },
    carrierCallbacks(outbox),
    { receiptDelayMs: o.receiptDelayMs ?? 1000, callDelayMs: o.callDelayMs ?? 2000 },
  );
  const carrier = new CarrierApi(network, {
    alibaba: { [o.alibaba.accessKeyId]: o.alibaba.accessKeySecret },
    tencent: { [o.tencent.secretId]: o.tencent.secretKey },
    tencentAppId: o.tencent.sdkAppId,
    tencentVoiceAppId: o.tencent.voiceSdkAppId ?? o.tencent.sdkAppId,
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
