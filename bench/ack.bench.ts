/**
 * Acknowledgment benchmark: the people of a red warning answer by link through `POST /api/v1/ack/:token` (distinct
 * tokens, BENCH_CONCURRENCY at a time, the per-IP limit raised), then answer again (repeats). Beside it, in the same
 * run and with the same client: a bare Node HTTP server (its own process) parsing the same request and answering JSON.
 * Every answer must be recorded once: the run fails otherwise.
 *
 *   npm run build && node dist/bench/ack.bench.js
 *
 * Beside each rate, the CPU per answer of the server and of the bench database's PostgreSQL backends: on a busy
 * machine the rate says little, the CPU spent per answer still compares.
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench_ack, recreated), REDIS_URL, BENCH_PERSONS (4000),
 * BENCH_CONCURRENCY (32), BENCH_POOL_MAX (api connections, 10).
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Pool } from 'pg';
import { issueApiKey } from '@app/database';
import { TokenSigner } from '@app/common';
import {
  appsEnv,
  cap,
  cpuSeconds,
  fmt,
  freePort,
  freshDatabase,
  log,
  pct,
  peakRssMiB,
  printTable,
  sleep,
  specFile,
  runBench,
  startApp,
  stopApps,
  townRoster,
  waitForApps,
  waitUntil,
} from './bench-kit';

const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_ack';
const PERSONS = Number(process.env.BENCH_PERSONS ?? 4_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PREFIX = `jy-bench-ack-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';
const SIGNING = 'bench:bench-only-signing-key-0000000000000001';
const TOWN = '509800001';
const BODY = JSON.stringify({ response: 'received' });

/** The bare limit: a Node HTTP server that reads and parses the same body and answers a JSON of the same size. */
const BARE_SERVER = `
const http = require('node:http');
const answer = JSON.stringify({ callTaskId: '00000000-0000-4000-8000-000000000000', alreadyAcknowledged: false, late: false,
  response: 'received', acknowledgedAt: new Date().toISOString(), escalated: false, progress: null });
http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const input = JSON.parse(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(input.response ? answer : '{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('up\\n'));
`;

interface Run {
  perS: number;
  p50: number;
  p99: number;
  statuses: Map<number, number>;
  /** CPU ms per answer: the server process, and (for the api) the bench database's PostgreSQL backends. */
  cpuMs?: { server: number; postgres: number };
}

/** CPU seconds so far of each PostgreSQL backend on the bench database (every app's pool). */
async function backendCpu(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
}

/**
 * A drive with the CPU it cost per answer, which a busy machine inflates far less than it does the rate: the server
 * process's, and the PostgreSQL backends' (a backend that ended meanwhile is not counted).
 */
async function measured(pool: Pool | null, pid: number | undefined, go: () => Promise<Run>): Promise<Run> {
  const [server, backends] = [cpuSeconds(pid), pool ? await backendCpu(pool) : new Map<number, number>()];
  const run = await go();
  const after = pool ? await backendCpu(pool) : new Map<number, number>();
  const postgres = [...after].reduce((sum, [p, s]) => sum + (s - (backends.get(p) ?? 0)), 0);
  const total = [...run.statuses.values()].reduce((a, b) => a + b, 0);
  run.cpuMs = { server: ((cpuSeconds(pid) - server) * 1000) / total, postgres: (postgres * 1000) / total };
  return run;
}

const cpuText = (r: Run) =>
  r.cpuMs ? `; CPU ${fmt(r.cpuMs.server, 2)} ms/answer in the server, ${fmt(r.cpuMs.postgres, 2)} in PostgreSQL` : '';

/** POSTs each path once, `CONCURRENCY` in flight over keep-alive connections; rate and latency. */
async function drive(port: number, paths: string[]): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const one = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(BODY);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < paths.length) {
        const path = paths[next++];
        const s = performance.now();
        const status = await one(path);
        latencies.push(performance.now() - s);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const perS = paths.length / ((performance.now() - t0) / 1000);
  agent.destroy();
  return { perS, p50: pct(latencies, 50), p99: pct(latencies, 99), statuses };
}

async function bareLimit(paths: string[]): Promise<Run> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  try {
    await drive(port, paths.slice(0, Math.min(500, paths.length))); // warm-up
    return await measured(null, child.pid, () => drive(port, paths));
  } finally {
    child.kill('SIGTERM');
  }
}

async function fixture(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO admin_units (code, name, level, parent_code) VALUES ('509800', '应答压测县', 'county', NULL)`,
  );
  await pool.query(`INSERT INTO admin_units (code, name, level, parent_code, geom) VALUES
    ('${TOWN}', '应答压测镇', 'town', '509800', ST_Multi(ST_MakeEnvelope(107, 29, 107.5, 29.5, 4326)))`);
  await townRoster(pool, TOWN, PERSONS, Math.ceil(PERSONS / 4), 107);
  await issueApiKey(pool, 'bench', 'ingest', '500000', INGEST_KEY);
  await pool.query('ANALYZE');
}

const statusText = (m: Map<number, number>) => [...m].map(([s, n]) => `${s}×${fmt(n)}`).join(', ');

async function main(): Promise<void> {
  log(`acknowledgment benchmark: ${fmt(PERSONS)} people answer by link, ${CONCURRENCY} at a time`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  await fixture(pool);
  const { env, apiPort } = await appsEnv({
    dbUrl: DB_URL,
    prefix: PREFIX,
    specFile: specFile(() => undefined),
    extra: {
      ...(process.env.ACK_NOTIFY_PEERS ? { ACK_NOTIFY_PEERS: process.env.ACK_NOTIFY_PEERS } : {}),
      ACK_RATE_PER_SECOND: '10000',
      ACK_SIGNING_KEYS: SIGNING,
      DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '10',
    },
  });
  // The api answers; the matcher makes the calls; the escalator writes the who-answered notices (同组已应答) and the
  // dispatcher sends them meanwhile, as in a real warning.
  const apps = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'].map((name) =>
    startApp(DIST, name, env, 'bench-ack'),
  );
  process.on('exit', () => apps.forEach((a) => a.child.kill('SIGTERM')));
  try {
    await waitForApps({ api: apiPort }, 120_000, 900_000);
    await sleep(1500);
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/cap+xml' },
      body: cap(`BENCH-ACK-${PREFIX}`, TOWN, '红色'),
    });
    const warningId = (JSON.parse(await res.text()) as { id: string }).id;
    await waitUntil(
      'calls created',
      async () => {
        const {
          rows: [t],
        } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM call_tasks WHERE warning_id = $1`, [
          warningId,
        ]);
        return t.n >= PERSONS;
      },
      120_000,
      200,
      900_000,
    );
    // The calls' first messages out of the way: the answers are measured on their own.
    await waitUntil(
      'first messages sent',
      async () => {
        const {
          rows: [a],
        } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.status IN ('queued','sending')`,
          [warningId],
        );
        return a.n === 0;
      },
      300_000,
      500,
      900_000,
    );
    const [kid, secret] = SIGNING.split(/:(.*)/s);
    const signer = new TokenSigner({ [kid]: secret }, kid);
    const exp = Math.floor(Date.now() / 1000) + 3 * 24 * 3600;
    const { rows: tasks } = await pool.query<{ id: string; person_id: string }>(
      `SELECT id, person_id FROM call_tasks WHERE warning_id = $1 AND requires_ack ORDER BY random()`,
      [warningId],
    );
    const paths = tasks.map((t) => `/api/v1/ack/${signer.sign({ sub: t.id, per: t.person_id, pur: 'ack', exp })}`);
    log(`${fmt(paths.length)} tokens; bare Node HTTP server first`);
    const bare = await bareLimit(paths);
    log(`bare ${fmt(bare.perS)}/s; now the api`);
    const api = apps.find((a) => a.name === 'api')?.child.pid;
    const first = await measured(pool, api, () => drive(apiPort, paths));
    log(`first answers ${fmt(first.perS)}/s (${statusText(first.statuses)})`);
    const repeat = await measured(pool, api, () => drive(apiPort, paths));
    log(`repeat answers ${fmt(repeat.perS)}/s (${statusText(repeat.statuses)})`);
    const peersDone = await waitUntil(
      'who-answered notices written',
      async () => {
        const {
          rows: [q],
        } = await pool.query<{ due: number; notices: number }>(
          `SELECT (SELECT count(*)::int FROM acknowledgements WHERE peers_due) AS due,
                (SELECT count(*)::int FROM notices WHERE kind = 'answered_by_peer' AND warning_id = $1) AS notices`,
          [warningId],
        );
        return q.due === 0 ? q : null;
      },
      120_000,
      500,
      900_000,
    );
    const {
      rows: [check],
    } = await pool.query<{ acks: number; events: number; acked: number }>(
      `SELECT (SELECT count(*)::int FROM acknowledgements a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1) AS acks,
              (SELECT count(*)::int FROM events WHERE warning_id = $1 AND type IN ('CallAcknowledged','CallAcknowledgedLate')) AS events,
              (SELECT count(*)::int FROM call_tasks WHERE warning_id = $1 AND state = 'acknowledged') AS acked`,
      [warningId],
    );
    if (
      check.acks !== paths.length ||
      check.events !== paths.length ||
      check.acked !== paths.length ||
      first.statuses.get(200) !== paths.length
    ) {
      throw new Error(
        `answers not recorded exactly once: ${JSON.stringify(check)} for ${paths.length} (${statusText(first.statuses)})`,
      );
    }
    const memory = apps.map((a) => ({ name: a.name, mib: peakRssMiB(a.child.pid) }));
    printTable('Jiaoying acknowledgment benchmark', [
      [
        `bare Node HTTP server (same body, ${CONCURRENCY} at a time)`,
        `${fmt(bare.perS)} answers/s`,
        `p50 ${fmt(bare.p50, 1)} ms, p99 ${fmt(bare.p99, 1)} ms${cpuText(bare)}`,
      ],
      [
        `POST /api/v1/ack/:token, ${fmt(paths.length)} distinct tokens`,
        `${fmt(first.perS)} answers/s`,
        `p50 ${fmt(first.p50, 1)} ms, p99 ${fmt(first.p99, 1)} ms; ${fmt(first.perS / bare.perS, 2)}× bare${cpuText(first)}`,
      ],
      [
        'the same tokens again (repeats)',
        `${fmt(repeat.perS)} answers/s`,
        `p50 ${fmt(repeat.p50, 1)} ms, p99 ${fmt(repeat.p99, 1)} ms; ${fmt(repeat.perS / bare.perS, 2)}× bare${cpuText(repeat)}`,
      ],
      ['recorded', `${fmt(check.acks)} answers, ${fmt(check.events)} events`, 'each once'],
      [
        'who-answered notices (同组已应答, written after the answers)',
        fmt(peersDone.notices),
        `for ${fmt(paths.length)} answers of zones of four`,
      ],
      ...memory.map((m): [string, string, string] => [`peak RSS ${m.name}`, `${fmt(m.mib)} MiB`, '']),
    ]);
  } finally {
    await stopApps(apps, PREFIX);
    await pool.end();
  }
}

runBench(main, 'bench-ack');
