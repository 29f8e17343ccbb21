import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { JsonLogger, levelsUpTo } from '@app/common';
import { QueueName } from '@app/queue';
import { ApiModule } from '../../apps/api/src/api.module';
import { setupApp } from '../../apps/api/src/setup-app';

export interface ApiApp {
  app: INestApplication;
  server: Server;
  ds: DataSource;
  stop(): Promise<void>;
}

/** The API alone (no workers) on the test database: previews, roster and specs need nothing else. */
export async function startApi(): Promise<ApiApp> {
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: new JsonLogger('test', levelsUpTo(process.env.LOG_LEVEL ?? 'error')) });
  setupApp(app);
  await app.init();
  const queues = Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  await Promise.all(queues.map((q) => q.obliterate({ force: true })));
  return { app, server: app.getHttpServer() as Server, ds: app.get(DataSource), stop: () => app.close() };
}

export async function issueKey(ds: DataSource, name: string, role: string, region: string): Promise<string> {
  const key = `test-${name}-key`;
  await ds.query(`INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ($1, $2, $3, $4)`, [
    name,
    createHash('sha256').update(key).digest('hex'),
    role,
    region,
  ]);
  return key;
}

/** Row counts and a digest of every table, to show that a read changed nothing. */
export async function databaseFingerprint(ds: DataSource): Promise<Record<string, string>> {
  const tables = await ds.query<Array<{ t: string }>>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'spatial_ref_sys') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [row] = await ds.query<Array<{ d: string }>>(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d FROM "${t}" x`);
    out[t] = row.d;
  }
  return out;
}
