import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { Clock, JsonLogger, levelsUpTo, ManualClock } from '@app/common';
import { QueueName } from '@app/queue';
import { ApiModule } from '../../apps/api/src/api.module';
import { setupApp } from '../../apps/api/src/setup-app';

export interface ApiOnly {
  app: INestApplication;
  server: Server;
  ds: DataSource;
  clock: ManualClock | null;
  stop(): Promise<void>;
}

/** The API alone (no workers): for HTTP-level tests. Jobs it enqueues stay in Redis and are obliterated. */
export async function startApiOnly(
  opts: { clock?: ManualClock; env?: Record<string, string>; clearQueues?: boolean } = {},
): Promise<ApiOnly> {
  Object.assign(process.env, opts.env ?? {});
  let builder = Test.createTestingModule({ imports: [ApiModule] });
  if (opts.clock) {
    builder = builder.overrideProvider(Clock).useValue(opts.clock);
  }
  const app = (await builder.compile()).createNestApplication({
    bodyParser: false,
    logger: new JsonLogger('test', levelsUpTo(process.env.LOG_LEVEL ?? 'error')),
  });
  setupApp(app);
  await app.init();
  // clearQueues: false for tests that run with Redis unreachable on purpose.
  const queues =
    opts.clearQueues === false ? [] : Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name)));
  await Promise.all(queues.map((q) => q.obliterate({ force: true })));
  return {
    app,
    server: app.getHttpServer() as Server,
    ds: app.get(DataSource),
    clock: opts.clock ?? null,
    async stop() {
      await Promise.all(queues.map((q) => q.obliterate({ force: true })));
      await app.close();
    },
  };
}
