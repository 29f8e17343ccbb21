import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { JsonLogger, levelsUpTo } from '@app/common';
import { QueueName } from '@app/queue';
import { SmtpSink } from '@app/simulators';
import { ApiModule } from '../../apps/api/src/api.module';
import { setupApp } from '../../apps/api/src/setup-app';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { EscalatorModule } from '../../apps/escalator/src/escalator.module';
import { MatcherModule } from '../../apps/matcher/src/matcher.module';

export interface Pipeline {
  app: INestApplication;
  server: Server;
  ds: DataSource;
  mail: SmtpSink;
  stop(): Promise<void>;
}

/**
 * The whole service in this process, on real PostgreSQL, Redis, BullMQ workers and a real SMTP server:
 * api + matcher + dispatcher + escalator, exactly the modules the separate apps run.
 */
export async function startPipeline(env: Record<string, string> = {}): Promise<Pipeline> {
  const mail = new SmtpSink();
  const smtpPort = await mail.listen(0);
  Object.assign(process.env, { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...env });
  await clearQueues();
  const moduleRef = await Test.createTestingModule({
    imports: [ApiModule, MatcherModule, DispatcherModule, EscalatorModule],
  }).compile();
  const app = moduleRef.createNestApplication({
    bodyParser: false,
    logger: new JsonLogger('test', levelsUpTo(process.env.LOG_LEVEL ?? 'error')),
  });
  setupApp(app);
  await app.init();
  return {
    app,
    server: app.getHttpServer() as Server,
    ds: app.get(DataSource),
    mail,
    async stop() {
      // Workers close first (they finish their jobs); leftover jobs are obliterated by the next start.
      await app.close();
      await mail.close();
    },
  };
}

/** Empties this test run's queues before any worker starts, so jobs left by an earlier spec never run here. */
async function clearQueues(): Promise<void> {
  const connection = { url: process.env.REDIS_URL as string, maxRetriesPerRequest: null };
  for (const name of Object.values(QueueName)) {
    const queue = new Queue(name, { connection, prefix: process.env.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  // What the replicas share (open circuits, send windows, cron leases) starts afresh too: a circuit the previous
  // spec's teardown opened would otherwise hold this spec's sends for BREAKER_OPEN_MS.
  const redis = new Redis(process.env.REDIS_URL as string);
  const prefix = process.env.QUEUE_PREFIX as string;
  const shared = [
    `${prefix}:{breakers}`,
    ...(await redis.keys(`${prefix}:{rate:*`)),
    ...(await redis.keys(`${prefix}:{cron}*`)),
  ];
  await redis.del(...shared);
  await redis.quit();
}

/** The ack token from the link in a captured email. */
export function ackTokenFrom(text: string): string {
  const match = /\/ack\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text);
  if (!match) {
    throw new Error('no ack link in message');
  }
  return match[1];
}
