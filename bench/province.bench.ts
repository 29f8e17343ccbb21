/**
 * Province benchmark: the generated province (libs/demo seed-province: 38 counties, 1,000 towns, 11,000 villages,
 * 200,000 responsible persons by default) and one red rainstorm warning over all of it (a geocode per county), every
 * app its own process on a single Redis, SMS through the carrier simulator. Figures: seeding time, ingest → first
 * message accepted, → every call task created, → every person's SMS accepted, peak RSS per process, Redis memory and
 * the database's size. Beside them, in the same run: raw BullMQ no-op processing and raw PostgreSQL inserts.
 *
 *   npm run build && node dist/bench/province.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench_province, recreated), REDIS_URL, BENCH_COUNTIES (38), BENCH_PERSONS
 * (scaled with the counties unless given), BENCH_RESIDENTS (residents' numbers spread over every risk zone, who get the
 * area SMS, 200 numbers a request; 200,000), BENCH_LIMIT_S (540: stop waiting and print what was reached by then),
 * BENCH_POOL_MAX (6 per app).
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, issueApiKey } from '@app/database';
import { seedProvince } from '@app/demo';
import {
  appsEnv,
  appUsage,
  cap,
  connection,
  fmt,
  freshDatabase,
  load,
  log,
  machineRows,
  printTable,
  rawLimits,
  runBench,
  sleep,
  specFile,
  started,
  startApp,
  stopApps,
  waitForApps,
  waitUntil,
} from './bench-kit';

const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_province';
const COUNTIES = Number(process.env.BENCH_COUNTIES ?? 38);
const PERSONS = process.env.BENCH_PERSONS ? Number(process.env.BENCH_PERSONS) : undefined;
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 200_000);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_S ?? 540) * 1000;
const PREFIX = `jy-bench-prov-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';
/** The apps' queue names, hash tags included, so the run's queues are removed at the end. */
const APPS = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'];

interface Progress {
  tasks: number;
  accepted: number;
  first: Date | null;
  last: Date | null;
  /** Residents' area SMS: numbers planned, accepted, in batches still open; the first and last batch accepted. */
  residents: number;
  residentsAccepted: number;
  batchesOpen: number;
  firstResident: Date | null;
  lastResident: Date | null;
}

/** One warning in the database: its call tasks and how many of their SMS the carrier accepted; its area SMS likewise. */
async function progress(pool: Pool, warningId: string): Promise<Progress> {
  const {
    rows: [r],
  } = await pool.query<Progress>(
    `SELECT (SELECT count(*)::int FROM call_tasks WHERE warning_id = $1) AS tasks, a.*, b.*
     FROM (SELECT count(sent_at)::int AS accepted, min(sent_at) AS first, max(sent_at) AS last
           FROM attempts WHERE channel = 'sms') a,
          (SELECT coalesce(sum(cardinality(b.phones)), 0)::int AS residents,
                  coalesce(sum(cardinality(b.phones)) FILTER (WHERE b.status = 'accepted'), 0)::int AS "residentsAccepted",
                  count(*) FILTER (WHERE b.status IN ('queued', 'sending'))::int AS "batchesOpen",
                  min(b.accepted_at) AS "firstResident", max(b.accepted_at) AS "lastResident"
           FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id WHERE n.warning_id = $1) b`,
    [warningId],
  );
  return r;
}

/** Residents' numbers spread evenly over every risk zone of the province, as in the demo's resident registers. */
async function seedResidents(pool: Pool, n: number): Promise<void> {
  await pool.query(
    `INSERT INTO resident_phones (risk_zone_id, phone)
     SELECT z.id, '17' || lpad(i::text, 9, '0')
     FROM generate_series(0, $1 - 1) i
     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM risk_zones) z ON z.k = i % z.n`,
    [n],
  );
}

/** Whether every call's SMS and every residents' batch is settled. */
const finished = (p: Progress) =>
  p.tasks > 0 && p.accepted >= p.tasks && (RESIDENTS === 0 || (p.residents > 0 && p.batchesOpen === 0));

async function redisUsedMiB(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN) / 2 ** 20;
}

async function main(): Promise<void> {
  log(`province benchmark: ${COUNTIES} counties; load average ${load()}; raw limits first`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', (e) => log(`bench pool: ${e.message}`));
  const { bull, pgRate } = await rawLimits(pool, PREFIX);

  const ds = await new DataSource(dataSourceOptions(DB_URL)).initialize();
  const seeded = await seedProvince(ds, { size: { counties: COUNTIES, ...(PERSONS ? { persons: PERSONS } : {}) } });
  await ds.destroy();
  const c = seeded.counts;
  log(
    `province seeded in ${fmt(seeded.elapsedMs / 1000, 1)} s (${JSON.stringify(seeded.steps)}): ${JSON.stringify(c)}`,
  );
  await seedResidents(pool, RESIDENTS);
  await issueApiKey(pool, 'bench', 'ingest', '500000', INGEST_KEY);
  const {
    rows: [db0],
  } = await pool.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS bytes`);

  const { env, apiPort, simPort } = await appsEnv({
    dbUrl: DB_URL,
    prefix: PREFIX,
    // Red by SMS only, deadlines past the run: the figure is the fan-out, not the ladder.
    specFile: specFile((levels) => {
      levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
      levels.red.tiers.forEach((t) => (t.ackDeadlineMin = 120));
    }),
    // SWEEP_STALE_MS as deployed (30 s): an SMS whose answer timed out is looked up at the carrier once stale, and a
    // run with 10 minutes' staleness left such SMS unsent to its end.
    extra: { DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '6' },
  });
  const apps = APPS.map((name) => startApp(DIST, name, env, 'bench-prov'));
  process.on('exit', () => apps.forEach((a) => a.child.kill('SIGTERM')));
  const redis = new Redis(connection);
  try {
    await waitForApps({ api: apiPort, sim: simPort }, 120_000, LIMIT_MS + 600_000);
    await sleep(1500); // workers connected
    const redis0 = await redisUsedMiB(redis);
    log(`apps up; load average ${load()}`);

    const t0 = Date.now();
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/cap+xml' },
      body: cap(`BENCH-PROVINCE-${PREFIX}`, seeded.countyCodes, '红色'),
    });
    if (res.status !== 202) {
      throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`);
    }
    const answeredMs = Date.now() - t0;
    const warningId = (JSON.parse(await res.text()) as { id: string }).id;
    let lastLog = 0;
    let redisPeak = redis0;
    let tasksAt: number | null = null;
    let now: Progress = {
      tasks: 0,
      accepted: 0,
      first: null,
      last: null,
      residents: 0,
      residentsAccepted: 0,
      batchesOpen: 0,
      firstResident: null,
      lastResident: null,
    };
    const loads: string[] = [];
    // Until every call's SMS is accepted and every area batch settled, or the time limit: then the figures say how far it got.
    await waitUntil(
      'all accepted or time limit',
      async () => {
        now = await progress(pool, warningId);
        redisPeak = Math.max(redisPeak, await redisUsedMiB(redis));
        if (tasksAt === null && now.tasks > 0) {
          tasksAt = Date.now() - t0;
        }
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          loads.push(load());
          log(
            `call tasks ${fmt(now.tasks)}, SMS accepted ${fmt(now.accepted)}, residents ${fmt(now.residentsAccepted)} of ${fmt(now.residents)}; load average ${load()}`,
          );
        }
        return finished(now) || Date.now() - started > LIMIT_MS;
      },
      LIMIT_MS + 600_000,
      2000,
      LIMIT_MS + 600_000,
    );
    const memory = appUsage(apps);
    const {
      rows: [db1],
    } = await pool.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS bytes`);
    const done = now.tasks > 0 && now.accepted >= now.tasks;
    const sim = (await (await fetch(`http://127.0.0.1:${simPort}/sms/stats`)).json()) as {
      messages: number;
      duplicates: number;
    };
    const firstMs = now.first ? now.first.getTime() - t0 : NaN;
    const lastMs = now.last ? now.last.getTime() - t0 : NaN;
    const sendRate = now.accepted / ((lastMs - firstMs) / 1000);
    const rows: Array<[string, string, string]> = [
      ['raw BullMQ process (no-op, concurrency 50)', `${fmt(bull.processPerS)} jobs/s`, ''],
      ['raw PostgreSQL insert (1000-row statements, 4 clients)', `${fmt(pgRate)} rows/s`, ''],
      [
        'province generated',
        `${fmt(c.counties)} counties, ${fmt(c.towns)} towns, ${fmt(c.villages)} villages, ${fmt(c.riskZones)} zones, ${fmt(c.persons)} persons`,
        `${fmt(c.contactMethods)} contacts, ${fmt(c.responsibilityAssignments)} assignments, ${fmt(c.contractingAssignments)} 包干`,
      ],
      [
        '  seeding time',
        `${fmt(seeded.elapsedMs / 1000, 1)} s`,
        Object.entries(seeded.steps)
          .map(([k, v]) => `${k} ${fmt(v / 1000, 1)} s`)
          .join(', '),
      ],
      ['ingest → API answer (202)', `${fmt(answeredMs)} ms`, ''],
      [
        'ingest → call tasks visible',
        tasksAt === null ? '—' : `${fmt((tasksAt as number) / 1000, 1)} s`,
        `the first calls committed; ${fmt(now.tasks)} calls in all`,
      ],
      ['ingest → first SMS accepted', `${fmt(firstMs / 1000, 1)} s`, ''],
      [
        done
          ? `ingest → all ${fmt(now.tasks)} SMS accepted`
          : `SMS accepted by the time limit (${LIMIT_MS / 1000} s into the run)`,
        done ? `${fmt(lastMs / 1000, 1)} s` : `${fmt(now.accepted)} of ${fmt(now.tasks)} by ${fmt(lastMs / 1000, 1)} s`,
        `${fmt(sendRate)}/s from first to last = ${fmt(sendRate / bull.processPerS, 2)}× raw BullMQ process`,
      ],
      [
        `ingest → residents' area SMS accepted (${fmt(now.residents)} numbers, 200 a request)`,
        now.firstResident && now.lastResident
          ? `first ${fmt((now.firstResident.getTime() - t0) / 1000, 1)} s, ${fmt(now.residentsAccepted)} by ${fmt((now.lastResident.getTime() - t0) / 1000, 1)} s`
          : '—',
        `${now.batchesOpen} batches still open at the end`,
      ],
      [
        'carrier simulator: messages held / sent twice',
        `${fmt(sim.messages)} / ${fmt(sim.duplicates)}`,
        sim.duplicates === 0 ? 'no request was taken twice' : 'DUPLICATES: an idempotency key was sent again',
      ],
      [
        'Redis used memory: before → peak',
        `${fmt(redis0)} → ${fmt(redisPeak)} MiB`,
        'the whole server (shared with other runs)',
      ],
      [
        'PostgreSQL database size: seeded → after',
        `${fmt(Number(db0.bytes) / 2 ** 20)} → ${fmt(Number(db1.bytes) / 2 ** 20)} MiB`,
        '',
      ],
      ...machineRows(memory, loads),
    ];
    printTable('Jiaoying province benchmark', rows);
  } finally {
    redis.disconnect();
    await stopApps(apps, PREFIX);
    await pool.end();
  }
}

runBench(main, 'bench-prov');
