import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { QueueName } from '@app/queue';
import { Simulators, startSimulators } from '@app/simulators';
import { Pipeline, startPipeline } from './pipeline';

export interface SimulatedPipeline {
  sims: Simulators;
  p: Pipeline;
  stop(): Promise<void>;
}

/**
 * The pipeline with every provider pointed at the local simulators (Alibaba and Tencent SMS and voice; loudspeakers
 * over MQTT when `mqttPrefix` is given), on free ports, the simulators' receipts and replies posted back to its API.
 */
export async function startSimulatedPipeline(o: {
  secret: string;
  mqttPrefix?: string;
  env?: Record<string, string>;
}): Promise<SimulatedPipeline> {
  const sims = await startSimulators({
    host: '127.0.0.1',
    httpPort: 0,
    smtpPort: 0,
    templatesDir: join(__dirname, '../../config/templates'),
    callbackUrl: 'http://127.0.0.1:1',
    callbackSecret: o.secret,
    alibaba: { accessKeyId: 'e2e-ali-key', accessKeySecret: 'e2e-ali-secret' },
    tencent: { secretId: 'e2e-tc-id', secretKey: 'e2e-tc-secret', sdkAppId: '1400009999', voiceSdkAppId: '1400008888' },
    mqtt: o.mqttPrefix ? { url: 'mqtt://127.0.0.1:1883', topicPrefix: o.mqttPrefix } : undefined,
    receiptDelayMs: 50,
    callDelayMs: 100,
  });
  const p = await startPipeline({
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: String(sims.httpPort),
    PROVIDER_CALLBACK_SECRET: o.secret,
    ALIBABA_ACCESS_KEY_ID: 'e2e-ali-key',
    ALIBABA_ACCESS_KEY_SECRET: 'e2e-ali-secret',
    TENCENT_SECRET_ID: 'e2e-tc-id',
    TENCENT_SECRET_KEY: 'e2e-tc-secret',
    TENCENT_SMS_SDK_APP_ID: '1400009999',
    TENCENT_VOICE_SDK_APP_ID: '1400008888',
    ...(o.mqttPrefix ? { MQTT_TOPIC_PREFIX: o.mqttPrefix } : {}),
    ...o.env,
  });
  await p.app.listen(0, '127.0.0.1');
  sims.callbackUrl = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
  return {
    sims,
    p,
    async stop() {
      // Later rungs and deadlines are still delayed in Redis: drop them so the next spec's workers do not run them.
      await Promise.all(
        Object.values(QueueName).map((name) => p.app.get<Queue>(getQueueToken(name)).obliterate({ force: true })),
      );
      await p.stop();
      await sims.stop();
    },
  };
}
