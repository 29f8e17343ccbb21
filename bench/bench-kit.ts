/** What the process-level benchmarks share: raw limits of this machine, a fresh database, the apps as processes. */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { SystemClock } from '@app/common';
import { loadEnv } from '@app/config';
import { dataSourceOptions } from '@app/database';
import { composeCallSms, MessageTemplates, ProviderRegistry } from '@app/delivery';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new URL(REDIS_URL);
// The database of REDIS_URL too (redis://host:port/9), so the bench reads the queues the apps write.
export const connection = {
  host: redis.hostname,
  port: Number(redis.port || 6379),
  db: Number(redis.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
};
export const started = Date.now();

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—';
/** The load average, 1 / 5 / 15 min. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
export const log = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}\n`);

import { QueueName } from '@app/queue';
import { LocalRedisCluster, freePort, specFile } from '@app/testing';
export { freePort, specFile };

/** Polls until the probe gives a value; gives up at the timeout or when the whole run passes `hardLimitMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  timeoutMs: number,
  everyMs = 100,
  hardLimitMs = 170_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) {
      return v;
    }
    if (Date.now() > end || Date.now() - started > hardLimitMs) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

/** Waits until the api's health answers 200, and the simulator's too when its port is given. */
export async function waitForApps(
  ports: { api: number; sim?: number },
  timeoutMs: number,
  hardLimitMs?: number,
): Promise<void> {
  const healthy = (url: string) =>
    fetch(url).then(
      (r) => r.ok,
      () => false,
    );
  await waitUntil(
    ports.sim ? 'api and simulator up' : 'api up',
    async () =>
      (await healthy(`http://127.0.0.1:${ports.api}/api/v1/health`)) &&
      (ports.sim === undefined || healthy(`http://127.0.0.1:${ports.sim}/health`)),
    timeoutMs,
    250,
    hardLimitMs,
  );
}

/** addBulk + no-op processing of n empty jobs at concurrency 50: the queue's own limit on this machine now. */
export async function rawBullmq(prefix: string, n = 30_000): Promise<{ addPerS: number; processPerS: number }> {
  const name = `${prefix}-raw`;
  const queue = new Queue(name, { connection, prefix });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
        name: 'noop',
        data: { id: `a1-p${i + k}` },
        opts: { jobId: `raw-${i + k}`, removeOnComplete: true },
      })),
    );
  }
  const added = performance.now();
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(name, () => Promise.resolve(undefined), { connection, prefix, concurrency: 50 });
    worker.on('completed', () => {
      done += 1;
      if (done === n) {
        void worker.close().then(() => resolve());
      }
    });
  });
  const p0 = performance.now();
  await finished;
  const p1 = performance.now();
  await queue.obliterate({ force: true });
  await queue.close();
  return { addPerS: n / ((added - t0) / 1000), processPerS: n / ((p1 - p0) / 1000) };
}

/** 1000-row INSERT statements from 4 clients into a table shaped like attempts. */
export async function rawPostgres(pool: Pool, n = 100_000): Promise<number> {
  await pool.query(`DROP TABLE IF EXISTS bench_raw_insert`);
  await pool.query(`CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, warning_id uuid NOT NULL, person_id uuid NOT NULL,
    status varchar(16) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (warning_id, person_id))`);
  const w = '00000000-0000-4000-8000-000000000001';
  const t0 = performance.now();
  const perClient = n / 4;
  await Promise.all(
    [0, 1, 2, 3].map(async (c) => {
      for (let i = 0; i < perClient; i += 1000) {
        await pool.query(
          `INSERT INTO bench_raw_insert (warning_id, person_id, status)
         SELECT $1, md5('p' || g)::uuid, 'queued' FROM generate_series($2::int, $3::int) g`,
          [w, c * perClient + i, c * perClient + i + 999],
        );
      }
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.query(`DROP TABLE bench_raw_insert`);
  return rate;
}

/** Creates the database if needed, empties it and runs the migrations. */
export async function freshDatabase(dbUrl: string): Promise<void> {
  const admin = new Client({ connectionString: dbUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  const name = new URL(dbUrl).pathname.slice(1);
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) {
    await admin.query(`CREATE DATABASE "${name}"`);
  }
  await admin.end();
  const ds = await new DataSource(dataSourceOptions(dbUrl)).initialize();
  await ds.query('DROP SCHEMA IF EXISTS public CASCADE');
  await ds.query('CREATE SCHEMA public');
  await ds.runMigrations();
  await ds.destroy();
}

export interface Running {
  name: string;
  child: ChildProcess;
}

/** One built app (dist/apps/<name>/src/main.js) as its own process, its output in the temp folder. */
export function startApp(dist: string, name: string, env: NodeJS.ProcessEnv, tag = 'bench'): Running {
  const out = createWriteStream(join(tmpdir(), `jiaoying-${tag}-${name}.log`));
  // BENCH_PROFILE=dispatcher,simulator writes V8 CPU profiles of those apps to the temp folder.
  const profile = (process.env.BENCH_PROFILE ?? '').split(',').includes(name)
    ? ['--cpu-prof', `--cpu-prof-dir=${tmpdir()}`]
    : [];
  const child = spawn(process.execPath, [...profile, join(dist, 'apps', name, 'src', 'main.js')], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { name, child };
}

/** Stops the apps, waits for them, and drops every queue of the run (all of QueueName under `prefix`). */
export async function stopApps(apps: Running[], prefix: string): Promise<void> {
  apps.forEach((a) => a.child.kill('SIGTERM'));
  await Promise.all(apps.map((a) => new Promise((r) => (a.child.exitCode !== null ? r(0) : a.child.once('exit', r)))));
  for (const name of Object.values(QueueName)) {
    const q = new Queue(name, { connection, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}

export function peakRssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * The raw limit of a timer: `jobs` delayed no-op jobs all due at one instant, one worker of `concurrency`, on an idle
 * machine. Lateness is each job's start against its due time, so it is what BullMQ alone adds.
 */
export async function rawDelayedLateness(prefix: string, jobs: number, concurrency = 50): Promise<number[]> {
  const name = `${prefix}-raw-delayed`;
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(name, () => Promise.resolve(undefined), { connection, prefix, concurrency });
  await worker.waitUntilReady();
  const dueAt = Date.now() + 3000;
  const late: number[] = [];
  const finished = new Promise<void>((resolve) =>
    worker.on('completed', (job) => {
      late.push((job.processedOn ?? Date.now()) - dueAt);
      if (late.length === jobs) {
        resolve();
      }
    }),
  );
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({
        name: 'noop',
        data: { id: i + k },
        opts: { jobId: `delayed-${i + k}`, delay: dueAt - Date.now(), removeOnComplete: true },
      })),
    );
  }
  await finished;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return late;
}

/** Each app's peak RSS and the CPU it has used so far, read at the end of a run. */
export function appUsage(apps: Running[]): Array<{ name: string; mib: number; cpu: number }> {
  return apps.map((a) => ({ name: a.name, mib: peakRssMiB(a.child.pid), cpu: cpuSeconds(a.child.pid) }));
}

/** The last rows of a process-level table: each app's peak RSS and CPU, and the load average through the run. */
export function machineRows(
  usage: Array<{ name: string; mib: number; cpu: number }>,
  loads: string[],
): Array<[string, string, string]> {
  return [
    ...usage.map((m): [string, string, string] => [
      `peak RSS ${m.name}`,
      `${fmt(m.mib)} MiB`,
      `${fmt(m.cpu)} CPU s in the run`,
    ]),
    [
      'load average (1 / 5 / 15 min) at the end',
      load(),
      `every 10 s: ${loads.map((l) => l.split(' / ')[0]).join(', ')}`,
    ],
  ];
}

/** measure | value | note, padded. */
export function printTable(title: string, rows: Array<[string, string, string]>): void {
  const w1 = Math.max(...rows.map((r) => r[0].length));
  const w2 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(`\n${title} (${new Date().toISOString()}, ${fmt((Date.now() - started) / 1000, 0)} s)\n`);
  process.stdout.write(
    `${'measure'.padEnd(w1)} | ${'value'.padEnd(w2)} | note\n${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-----\n`,
  );
  for (const [a, b, c] of rows) {
    process.stdout.write(`${a.padEnd(w1)} | ${b.padEnd(w2)} | ${c}\n`);
  }
}

/** A town's synthetic roster: zones in a grid from longitude x, and four responsible persons (one SMS number each) per zone. */
export async function townRoster(pool: Pool, town: string, persons: number, zones: number, x: number): Promise<void> {
  await pool.query(
    `INSERT INTO risk_zones (id, code, name, hazard_type, kind, risk_grade, geom, admin_unit_code)
     SELECT md5($1 || '-zone-' || i)::uuid, $1 || '-Z' || i, '压测山洪危险区' || i, 'flash_flood', 'flash_flood_danger_zone', 'high',
            ST_MakeEnvelope($3 + (i % 50) * 0.01, 29 + (i / 50) * 0.01, $3 + (i % 50) * 0.01 + 0.005, 29 + (i / 50) * 0.01 + 0.005, 4326), $1
     FROM generate_series(0, $2 - 1) i`,
    [town, zones, x],
  );
  await pool.query(
    `INSERT INTO persons (id, name, admin_unit_code, synthetic) SELECT md5($1 || '-person-' || i)::uuid, '责任人' || i, $1, true
     FROM generate_series(0, $2 - 1) i`,
    [town, persons],
  );
  await pool.query(
    `INSERT INTO contact_methods (person_id, channel, address)
     SELECT md5($1 || '-person-' || i)::uuid, 'sms', '15' || right($1, 1) || lpad(i::text, 8, '0') FROM generate_series(0, $2 - 1) i`,
    [town, persons],
  );
  await pool.query(
    `INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id)
     SELECT md5($1 || '-person-' || i)::uuid, 'flood', (ARRAY['admin','technical','patrol','monitor'])[i % 4 + 1], 'zone',
            md5($1 || '-zone-' || (i / 4))::text::uuid::text
     FROM generate_series(0, $2 - 1) i`,
    [town, persons],
  );
}

/** A CAP 1.2 rainstorm warning over units by their division codes (one geocode each). */
export function cap(identifier: string, units: string | string[], colour: '红色' | '橙色'): string {
  const geocodes = [units]
    .flat()
    .map((u) => `<geocode><valueName>行政区划代码</valueName><value>${u}</value></geocode>`)
    .join('');
  const sent = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier><sender>bench-qxt@cma.gov.cn</sender><sent>${sent}</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>zh-CN</language><category>Met</category><event>暴雨${colour}预警</event><urgency>Immediate</urgency>
    <severity>Extreme</severity><certainty>Likely</certainty><senderName>压测县气象台</senderName>
    <headline>压测县气象台发布暴雨${colour}预警信号</headline><description>压测。</description><instruction>立即转移。</instruction>
    <area><areaDesc>压测</areaDesc>${geocodes}</area>
  </info>
</alert>`;
}

/** The five apps' environment for a run: fresh ports, this run's database and queue prefix, providers at full speed. */
export async function appsEnv(o: {
  dbUrl: string;
  prefix: string;
  specFile: string;
  extra?: NodeJS.ProcessEnv;
}): Promise<{ env: NodeJS.ProcessEnv; apiPort: number; simPort: number }> {
  const [apiPort, simPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Not 'production': that mode refuses the carrier simulators and development keys every bench runs with.
    NODE_ENV: 'test',
    DATABASE_URL: o.dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: o.prefix,
    PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    SIMULATOR_PORT: String(simPort),
    SMTP_SINK_PORT: String(smtpPort),
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SIMULATOR_CALLBACK_URL: `http://127.0.0.1:${apiPort}`,
    RESPONSE_SPEC_FILE: o.specFile,
    TIMER_SCALE: '1',
    PROVIDER_TPS: 'alibaba-sim:50000,tencent-sim:50000,alibaba-voice-sim:1000,tencent-voice-sim:1000',
    MQTT_TOPIC_PREFIX: o.prefix,
    LOG_LEVEL: 'warn',
    ...o.extra,
  };
  return { env, apiPort, simPort };
}

/** Both raw limits, logged as they come. */
export async function rawLimits(
  pool: Pool,
  prefix: string,
): Promise<{ bull: { addPerS: number; processPerS: number }; pgRate: number }> {
  const bull = await rawBullmq(prefix);
  log(`raw BullMQ add ${fmt(bull.addPerS)}/s, process ${fmt(bull.processPerS)}/s`);
  const pgRate = await rawPostgres(pool);
  log(`raw PostgreSQL insert ${fmt(pgRate)} rows/s`);
  return { bull, pgRate };
}

/**
 * With BENCH_REDIS_CLUSTER=1, the apps run on a local three-master Redis Cluster started for the run (ports from
 * BENCH_REDIS_CLUSTER_PORT, default 7200) and ended with it; the raw limits and Redis memory still read REDIS_URL.
 */
async function onRedisCluster(main: () => Promise<void>): Promise<void> {
  if (process.env.BENCH_REDIS_CLUSTER !== '1') {
    return main();
  }
  const cluster = new LocalRedisCluster(Number(process.env.BENCH_REDIS_CLUSTER_PORT ?? 7200));
  await cluster.start();
  process.env.REDIS_CLUSTER_NODES = cluster.nodes;
  log(`apps on a local Redis Cluster: ${cluster.nodes}`);
  try {
    await main();
  } finally {
    await cluster.stop();
  }
}

/** Runs a process-level benchmark: exit 0 when it printed its table, 1 with where the apps' logs are otherwise. */
export function runBench(main: () => Promise<void>, tag: string): void {
  onRedisCluster(main).then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`benchmark failed: ${e.message}\n(app logs in ${tmpdir()}/jiaoying-${tag}-*.log)\n`);
      process.exit(1);
    },
  );
}

/**
 * The raw limit of the personal-message path: `n` signed SendSms requests (one number each, our own idempotency key)
 * sent straight to the carrier simulator through the dispatcher's own provider client, `concurrency` at a time, with
 * no queue, no claim and no status write. What the dispatcher adds on top of this is ours to cut.
 */
export async function rawSignedSms(
  env: NodeJS.ProcessEnv,
  n: number,
  concurrency: number,
): Promise<{ perS: number; failed: number }> {
  const config = loadEnv(env);
  const clock = new SystemClock();
  const templates = MessageTemplates.load(config.delivery.templatesDir);
  const [provider] = new ProviderRegistry(config, templates, clock).sms;
  const message = composeCallSms(
    templates,
    {
      personName: '压测',
      hazard: 'rainstorm',
      level: 1,
      event: '暴雨红色预警',
      headline: '压测县发布暴雨红色预警',
      instruction: '立即转移危险区域群众',
      areaDesc: '压测县',
      isDrill: true,
      requiresAck: true,
      deadlineAt: new Date(Date.now() + 600_000),
      reasons: [],
      link: 'http://127.0.0.1:3000/a/raw00000',
    },
    config.delivery.signName,
    config.delivery.smsMaxSegments,
    clock.now(),
  );
  let next = 0;
  let failed = 0;
  const t0 = Date.now();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const res = await provider.send({
        phones: [`139${String(i).padStart(8, '0')}`],
        message,
        signName: config.delivery.signName,
        idempotencyKey: `raw-${t0}-${i}`,
      });
      failed += res.ok ? 0 : 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { perS: n / ((Date.now() - t0) / 1000), failed };
}
