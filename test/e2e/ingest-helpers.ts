import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { Clock, JsonLogger, levelsUpTo, ManualClock } from '@app/common';
import { QueueName } from '@app/queue';
import { ApiModule } from '../../apps/api/src/api.module';
import { setupApp } from '../../apps/api/src/setup-app';

/** Helpers for the ingest e2e specs (ingest-*.e2e-spec.ts). */
export interface ApiOnly {
  app: INestApplication;
  server: Server;
  ds: DataSource;
  clock: ManualClock | null;
  stop(): Promise<void>;
}

/** The API alone (no workers): for HTTP-level tests. Jobs it enqueues stay in Redis and are obliterated. */
export async function startApiOnly(opts: { clock?: ManualClock; env?: Record<string, string> } = {}): Promise<ApiOnly> {
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
  const queues = Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name)));
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

export async function issueKey(ds: DataSource, name: string, role: string, region: string): Promise<string> {
  const key = `test-${name}-key`;
  await ds.query(
    `INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role, region_code = EXCLUDED.region_code`,
    [name, createHash('sha256').update(key).digest('hex'), role, region],
  );
  return key;
}

export async function rowCounts(ds: DataSource): Promise<{ warnings: number; events: number }> {
  const [row] = await ds.query<Array<{ warnings: number; events: number }>>(
    `SELECT (SELECT count(*)::int FROM warnings) AS warnings, (SELECT count(*)::int FROM events) AS events`,
  );
  return row;
}

/** A CAP dateTime string as the fixtures write it. */
export function capTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

interface AlarmAnswer {
  action: string;
  colour: string | null;
  warningId: string | null;
  outcome?: string;
}

/** The JSON answers of the ingest endpoints, loosely typed for assertions. */
export interface Answer {
  id: string;
  chainId: string;
  version: number;
  outcome: string;
  drill: boolean;
  draftId: string;
  alreadyIssued: boolean;
  message: string;
  error: string;
  details: { field?: string; problem?: string; [k: string]: unknown };
  state: string;
  approvalsRequired: number;
  approvals: unknown[];
  ready: boolean;
  updatesWarningId: string | null;
  preview: { counts: { total: number; byTown: Array<{ code: string }> } };
  duplicate: boolean;
  rainfall: Record<string, number> | null;
  level: AlarmAnswer;
  rain: AlarmAnswer;
  action: string;
  colour: string | null;
  warningId: string | null;
}

export function answer(res: { body: unknown }): Answer {
  return res.body as Answer;
}
