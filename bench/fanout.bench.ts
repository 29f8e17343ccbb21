/**
 * Fan-out benchmark (issue 5): a red warning reaching 10,000 responsible persons plus 100,000 residents' area SMS
 * through the carrier simulator, every app as its own process, on loopback. Beside it, in the same run: raw BullMQ
 * (add + process of empty jobs) and raw PostgreSQL insert rate, and the lateness of another warning's deadlines.
 *
 *   npm run build && node dist/bench/fanout.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench, recreated), REDIS_URL, BENCH_PERSONS, BENCH_RESIDENTS, BENCH_PROFILE.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';

const ROOT = process.cwd();
const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PERSONS = Number(process.env.BENCH_PERSONS ?? 10_000);
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 100_000);
const PROBES = 20;
const DEADLINE_PERSONS = 200;
const PREFIX = `jy-bench-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';
const HARD_LIMIT_MS = 170_000;
const started = Date.now();

const redis = new URL(REDIS_URL);
const connection = { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—');
const log = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) {
      return v;
    }
    if (Date.now() > end || Date.now() - started > HARD_LIMIT_MS) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- raw limits of this machine, this run
async function rawBullmq(n = 30_000): Promise<{ addPerS: number; processPerS: number }> {
  const name = `${PREFIX}-raw`;
  const queue = new Queue(name, { connection, prefix: PREFIX });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
      name: 'noop', data: { id: `a1-p${i + k}` }, opts: { jobId: `raw-${i + k}`, removeOnComplete: true },
    })));
  }
  const added = performance.now();
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(name, () => Promise.resolve(undefined), { connection, prefix: PREFIX, concurrency: 50 });
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

async function rawPostgres(pool: Pool, n = 100_000): Promise<number> {
  await pool.query(`DROP TABLE IF EXISTS bench_raw_insert`);
  await pool.query(`CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, warning_id uuid NOT NULL, person_id uuid NOT NULL,
    status varchar(16) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (warning_id, person_id))`);
  const w = '00000000-0000-4000-8000-000000000001';
  const t0 = performance.now();
  const perClient = n / 4;
  await Promise.all([0, 1, 2, 3].map(async (c) => {
    for (let i = 0; i < perClient; i += 1000) {
      await pool.query(
        `INSERT INTO bench_raw_insert (warning_id, person_id, status)
         SELECT $1, md5('p' || g)::uuid, 'queued' FROM generate_series($2::int, $3::int) g`,
        [w, c * perClient + i, c * perClient + i + 999],
      );
    }
  }));
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.query(`DROP TABLE bench_raw_insert`);
  return rate;
}

// ---------------------------------------------------------------- fixture: one county, three towns
async function freshDatabase(): Promise<void> {
  const admin = new Client({ connectionString: DB_URL.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  const name = new URL(DB_URL).pathname.slice(1);
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) {
    await admin.query(`CREATE DATABASE "${name}"`);
  }
  await admin.end();
  const ds = await new DataSource(dataSourceOptions(DB_URL)).initialize();
  await ds.query('DROP SCHEMA IF EXISTS public CASCADE');
  await ds.query('CREATE SCHEMA public');
  await ds.runMigrations();
  await ds.destroy();
}

const TOWN_BIG = '509900001';
const TOWN_DEADLINE = '509900002';
const TOWN_PROBE = '509900003';

async function fixture(pool: Pool): Promise<void> {
  const box = (x: number) => `ST_Multi(ST_MakeEnvelope(${x}, 29, ${x + 0.5}, 29.5, 4326))`;
  await pool.query(`INSERT INTO admin_units (code, name, level, parent_code) VALUES ('509900', '压测县', 'county', NULL)`);
  await pool.query(`INSERT INTO admin_units (code, name, level, parent_code, geom) VALUES
    ('${TOWN_BIG}', '压测甲镇', 'town', '509900', ${box(106)}),
    ('${TOWN_DEADLINE}', '压测乙镇', 'town', '509900', ${box(107)}),
    ('${TOWN_PROBE}', '压测丙镇', 'town', '509900', ${box(108)})`);
  const towns: Array<[string, number, number, number]> = [
    // town, persons, zones, x origin
    [TOWN_BIG, PERSONS, Math.ceil(PERSONS / 4), 106],
    [TOWN_DEADLINE, DEADLINE_PERSONS, DEADLINE_PERSONS / 4, 107],
    [TOWN_PROBE, 4, 1, 108],
  ];
  for (const [town, persons, zones, x] of towns) {
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
  await pool.query(
    `INSERT INTO resident_phones (risk_zone_id, phone)
     SELECT md5($1 || '-zone-' || (i % $3))::uuid, '13' || lpad(i::text, 9, '0') FROM generate_series(0, $2 - 1) i`,
    [TOWN_BIG, RESIDENTS, Math.ceil(PERSONS / 4)],
  );
  await pool.query(`INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ('bench', $1, 'ingest', '500000')`, [
    createHash('sha256').update(INGEST_KEY).digest('hex'),
  ]);
  await pool.query('ANALYZE');
}

/** Red and orange call by SMS only; red's answer deadline is far, orange's 6 s (the deadlines we time). */
function benchSpecFile(): string {
  const spec = JSON.parse(readFileSync(join(ROOT, 'config/response-specs.default.json'), 'utf8')) as {
    levels: Record<string, { ladder: Array<{ atMin: number; channels: string[] }>; tiers: Array<{ ackDeadlineMin: number }> }>;
  };
  spec.levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
  spec.levels.red.tiers.forEach((t) => (t.ackDeadlineMin = 60));
  spec.levels.orange.ladder = [{ atMin: 0, channels: ['sms'] }];
  spec.levels.orange.tiers.forEach((t) => (t.ackDeadlineMin = 0.1));
  const file = join(tmpdir(), `jiaoying-bench-spec-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

// ---------------------------------------------------------------- the apps, each its own process
interface Running {
  name: string;
  child: ChildProcess;
}

function startApp(name: string, env: NodeJS.ProcessEnv): Running {
  const out = createWriteStream(join(tmpdir(), `jiaoying-bench-${name}.log`));
  // BENCH_PROFILE=dispatcher,simulator writes V8 CPU profiles of those apps to the temp folder.
  const profile = (process.env.BENCH_PROFILE ?? '').split(',').includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${tmpdir()}`] : [];
  const child = spawn(process.execPath, [...profile, join(DIST, 'apps', name, 'src', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { name, child };
}

function peakRssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

function cap(identifier: string, town: string, colour: '红色' | '橙色'): string {
  const sent = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier><sender>bench-qxt@cma.gov.cn</sender><sent>${sent}</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>zh-CN</language><category>Met</category><event>暴雨${colour}预警</event><urgency>Immediate</urgency>
    <severity>Extreme</severity><certainty>Likely</certainty><senderName>压测县气象台</senderName>
    <headline>压测县气象台发布暴雨${colour}预警信号</headline><description>压测。</description><instruction>立即转移。</instruction>
    <area><areaDesc>压测</areaDesc><geocode><valueName>行政区划代码</valueName><value>${town}</value></geocode></area>
  </info>
</alert>`;
}

async function main(): Promise<void> {
  log(`fan-out benchmark: ${fmt(PERSONS)} persons + ${fmt(RESIDENTS)} residents; raw limits first`);
  await freshDatabase();
  const pool = new Pool({ connectionString: DB_URL, max: 6 });
  const bull = await rawBullmq();
  log(`raw BullMQ add ${fmt(bull.addPerS)}/s, process ${fmt(bull.processPerS)}/s`);
  const pgRate = await rawPostgres(pool);
  log(`raw PostgreSQL insert ${fmt(pgRate)} rows/s`);
  await fixture(pool);
  log('fixture loaded');

  const [apiPort, simPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    SIMULATOR_PORT: String(simPort),
    SMTP_SINK_PORT: String(smtpPort),
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SIMULATOR_CALLBACK_URL: `http://127.0.0.1:${apiPort}`,
    RESPONSE_SPEC_FILE: benchSpecFile(),
    TIMER_SCALE: '1',
    PROVIDER_TPS: 'alibaba-sim:50000,tencent-sim:50000,alibaba-voice-sim:1000,tencent-voice-sim:1000',
    MQTT_TOPIC_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    SWEEP_STALE_MS: '120000',
  };
  const apps = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'].map((name) => startApp(name, env));
  const stopAll = () => apps.forEach((a) => a.child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    const health = (url: string) => fetch(url).then((r) => r.ok, () => false);
    await waitUntil('api and simulator up', async () => (await health(`http://127.0.0.1:${apiPort}/api/v1/health`)) && health(`http://127.0.0.1:${simPort}/health`), 60_000, 250);
    await sleep(1500); // workers connected
    log('apps up');
    const ingest = async (identifier: string, town: string, colour: '红色' | '橙色') => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/cap+xml' },
        body: cap(identifier, town, colour),
      });
      if (res.status !== 202) {
        throw new Error(`ingest ${identifier}: HTTP ${res.status} ${await res.text()}`);
      }
      return (JSON.parse(await res.text()) as { id: string }).id;
    };
    const firstAccepted = async (warningId: string) => {
      const { rows } = await pool.query<{ first: Date | null }>(
        `SELECT min(a.sent_at) AS first FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1`,
        [warningId],
      );
      return rows[0].first;
    };

    // 1. Time from ingest (POST sent) to the first message accepted by the provider, on a quiet system, with where
    //    it goes: the API's answer, the matching job (wait, run), the first send job (wait, run).
    const latencies: number[] = [];
    const stages: number[][] = [];
    const matchingQueue = new Queue('warning-matching', { connection, prefix: PREFIX });
    const smsQueue = new Queue('dispatch-sms', { connection, prefix: PREFIX });
    for (let i = 0; i < PROBES; i++) {
      const t0 = Date.now();
      const id = await ingest(`BENCH-PROBE-${PREFIX}-${i}`, TOWN_PROBE, '红色');
      const answered = Date.now();
      const first = await waitUntil('probe accepted', () => firstAccepted(id), 10_000, 5);
      latencies.push(first.getTime() - t0);
      const match = await matchingQueue.getJob(`match-${id}`);
      const { rows: [attempt] } = await pool.query<{ id: string }>(
        `SELECT a.id FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 ORDER BY a.sent_at LIMIT 1`, [id]);
      const send = await smsQueue.getJob(`send-${attempt.id}`);
      stages.push([answered - t0, (match?.processedOn ?? 0) - (match?.timestamp ?? 0), (match?.finishedOn ?? 0) - (match?.processedOn ?? 0),
        (send?.processedOn ?? 0) - (send?.timestamp ?? 0), first.getTime() - (send?.processedOn ?? 0)]);
      await sleep(100);
    }
    await Promise.all([matchingQueue.close(), smsQueue.close()]);
    log(`first accepted after ingest: p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms (each: ${latencies.join(', ')})`);
    const stage = (k: number) => `${pct(stages.map((s) => s[k]), 50)}/${Math.max(...stages.map((s) => s[k]))}`;
    log(`  stages p50/max ms: API answer ${stage(0)}, matching wait ${stage(1)}, matching run ${stage(2)}, send wait ${stage(3)}, send run ${stage(4)}`);
    log(`  first probe (after boot): ${stages[0].join(' / ')} ms`);

    // 2. The fan-out, with another warning's deadlines (6 s, own queue) falling due in the middle of it.
    const t0 = Date.now();
    const big = await ingest(`BENCH-RED-${PREFIX}`, TOWN_BIG, '红色');
    await sleep(300);
    const other = await ingest(`BENCH-ORANGE-${PREFIX}`, TOWN_DEADLINE, '橙色');
    const expected = PERSONS + RESIDENTS;
    let lastLog = 0;
    const done = await waitUntil('all accepted', async () => {
      const { rows } = await pool.query<{ persons: number; residents: number; last_p: Date | null; last_r: Date | null }>(
        `SELECT (SELECT count(*)::int FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.sent_at IS NOT NULL) AS persons,
                (SELECT max(a.sent_at) FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1) AS last_p,
                (SELECT coalesce(sum(cardinality(b.phones)), 0)::int FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id
                  WHERE n.warning_id = $1 AND b.status = 'accepted') AS residents,
                (SELECT max(b.accepted_at) FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id WHERE n.warning_id = $1) AS last_r`,
        [big],
      );
      const r = rows[0];
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`accepted: ${fmt(r.persons)} persons, ${fmt(r.residents)} residents`);
      }
      return r.persons + r.residents >= expected ? r : null;
    }, 150_000, 200);
    const firstBig = (await firstAccepted(big)) as Date;
    const lastAt = Math.max(done.last_p?.getTime() ?? 0, done.last_r?.getTime() ?? 0);
    const allMs = lastAt - t0;
    const perS = expected / (allMs / 1000);
    const personsPerS = PERSONS / (((done.last_p?.getTime() ?? 0) - t0) / 1000);

    const lateness = await waitUntil('other warning escalated', async () => {
      const { rows } = await pool.query<{ late: number }>(
        `SELECT extract(epoch FROM (updated_at - deadline_at)) * 1000 AS late FROM call_tasks
         WHERE warning_id = $1 AND state = 'escalated'`,
        [other],
      );
      return rows.length >= DEADLINE_PERSONS ? rows.map((r) => Number(r.late)) : null;
    }, 30_000, 250);
    // When each deadline job started, against its due time (PERFORMANCE.md C2): the queue's part of the lateness.
    const deadlines = new Queue('call-deadlines', { connection, prefix: PREFIX });
    const otherTasks = new Set((await pool.query<{ id: string }>(`SELECT id FROM call_tasks WHERE warning_id = $1`, [other])).rows.map((r) => r.id));
    type CheckData = { callTaskIds: string[]; step: unknown; dueAt: string };
    const firedJobs = (await deadlines.getJobs(['completed'], 0, 5000))
      .filter((j) => (j.data as CheckData).step === 'deadline' && (j.data as CheckData).callTaskIds?.some((id) => otherTasks.has(id)));
    const fired = firedJobs.flatMap((j) => {
      const d = j.data as CheckData;
      return d.callTaskIds.filter((id) => otherTasks.has(id)).map(() => (j.processedOn ?? 0) - Date.parse(d.dueAt));
    });
    await deadlines.close();
    const simStats = (await (await fetch(`http://127.0.0.1:${simPort}/sms/stats`)).json()) as { messages: number };
    const memory = apps.map((a) => ({ name: a.name, mib: peakRssMiB(a.child.pid) }));

    const rows: Array<[string, string, string]> = [
      ['raw BullMQ addBulk (empty jobs)', `${fmt(bull.addPerS)} jobs/s`, ''],
      ['raw BullMQ process (no-op, concurrency 50)', `${fmt(bull.processPerS)} jobs/s`, ''],
      ['raw PostgreSQL insert (1000-row statements, 4 clients)', `${fmt(pgRate)} rows/s`, ''],
      [`ingest → first accepted, p50 (${PROBES} warnings, quiet)`, `${fmt(pct(latencies, 50))} ms`, ''],
      [`ingest → first accepted, p99 (${PROBES} warnings, quiet)`, `${fmt(pct(latencies, 99))} ms`, pct(latencies, 99) < 300 ? 'target < 300 ms: met' : 'target < 300 ms: MISSED'],
      ['ingest → first accepted, the big warning', `${fmt(firstBig.getTime() - t0)} ms`, ''],
      [`ingest → all ${fmt(expected)} accepted`, `${fmt(allMs / 1000, 1)} s`, ''],
      ['  of which persons (one request each)', `${fmt(PERSONS)} in ${fmt(((done.last_p?.getTime() ?? 0) - t0) / 1000, 1)} s (${fmt(personsPerS)}/s)`, ''],
      ['  of which residents (area SMS, 1000 numbers/request)', `${fmt(RESIDENTS)} by ${fmt(((done.last_r?.getTime() ?? 0) - t0) / 1000, 1)} s`, ''],
      ['end-to-end messages/s', `${fmt(perS)}/s`, `${fmt(perS / bull.processPerS, 2)}× raw BullMQ process (target ≥ 0.5): ${perS / bull.processPerS >= 0.5 ? 'met' : 'MISSED'}`],
      ['  persons only (per-message jobs)', `${fmt(personsPerS)}/s`, `${fmt(personsPerS / bull.processPerS, 2)}× raw BullMQ process`],
      ['simulator inbox', `${fmt(simStats.messages)} SMS`, `${fmt(simStats.messages - PROBES * 4 - DEADLINE_PERSONS)} of the fan-out`],
      [`other warning's ${DEADLINE_PERSONS} deadlines (6 s): job start − due, p50 / p99 / max`, `${fmt(pct(fired, 50))} / ${fmt(pct(fired, 99))} / ${fmt(Math.max(...fired))} ms`, `own queue (call-deadlines); ${fired.length} tasks in ${firedJobs.length} jobs`],
      ['  escalation committed − due, p50 / p99 / max', `${fmt(pct(lateness, 50))} / ${fmt(pct(lateness, 99))} / ${fmt(Math.max(...lateness))} ms`, 'all 200 fall due at once'],
      ...memory.map((m): [string, string, string] => [`peak RSS ${m.name}`, `${fmt(m.mib)} MiB`, '']),
    ];
    const w1 = Math.max(...rows.map((r) => r[0].length));
    const w2 = Math.max(...rows.map((r) => r[1].length));
    process.stdout.write(`\nJiaoying fan-out benchmark (${new Date().toISOString()}, ${fmt((Date.now() - started) / 1000, 0)} s)\n`);
    process.stdout.write(`${'measure'.padEnd(w1)} | ${'value'.padEnd(w2)} | note\n${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-----\n`);
    for (const [a, b, c] of rows) {
      process.stdout.write(`${a.padEnd(w1)} | ${b.padEnd(w2)} | ${c}\n`);
    }
  } finally {
    stopAll();
    await Promise.all(apps.map((a) => new Promise((r) => (a.child.exitCode !== null ? r(0) : a.child.once('exit', r)))));
    for (const name of ['warning-matching', 'dispatch-sms', 'dispatch-email', 'dispatch-voice', 'dispatch-webhook', 'dispatch-broadcast', 'public-warnings', 'call-deadlines']) {
      const q = new Queue(name, { connection, prefix: PREFIX });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`benchmark failed: ${e.message}\n(app logs in ${tmpdir()}/jiaoying-bench-*.log)\n`);
    process.exit(1);
  },
);
