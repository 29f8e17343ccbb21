/**
 * Deadlines benchmark: a silent red warning over the generated province (libs/demo seed-province; 10 counties by
 * default, about 52,600 responsible persons), nobody answers, so every call's answer deadline falls due within one
 * moment while the warning's own SMS fan-out is still running. Figure: for every call, its first escalation (the climb
 * and its 督办 planned, or 电话叫应 at the top) committed − its deadline, p50 / p99 / max. Beside it, in the same run:
 * the lateness of as many idle BullMQ delayed no-op jobs due at one instant (what the queue alone adds), raw BullMQ
 * no-op processing and raw PostgreSQL inserts.
 *
 *   npm run build && node dist/bench/deadlines.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench_deadlines, recreated), REDIS_URL, BENCH_COUNTIES (10; 38 for the
 * whole province), BENCH_DEADLINE_S (30: every tier's answer deadline), BENCH_LIMIT_S (900: stop waiting and print what
 * was reached), BENCH_POOL_MAX (6 per app), BENCH_PROFILE=escalator (a CPU profile in the temp folder).
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, issueApiKey } from '@app/database';
import { seedProvince } from '@app/demo';
import {
  appsEnv,
  appUsage,
  cap,
  fmt,
  freshDatabase,
  load,
  log,
  machineRows,
  pct,
  printTable,
  rawDelayedLateness,
  rawLimits,
  runBench,
  sleep,
  specFile,
  startApp,
  started,
  stopApps,
  waitForApps,
  waitUntil,
} from './bench-kit';

const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_deadlines';
const COUNTIES = Number(process.env.BENCH_COUNTIES ?? 10);
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 30);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_S ?? 900) * 1000;
const PREFIX = `jy-bench-dl-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';
const APPS = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'];
/** A call's first escalation: one step up the chain, or, with nobody above, 电话叫应 handed to the duty desk. */
const ESCALATED = ['CallEscalated', 'EscalationExhausted'];
/** Deadline checks travel as one job per 50 call tasks (check-groups.ts): the raw comparison gets as many jobs. */
const TASKS_PER_JOB = 50;

/** Largest and smallest without spreading 200,000 arguments onto the stack. */
const maxOf = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a), -Infinity);
const minOf = (xs: number[]) => xs.reduce((a, b) => (b < a ? b : a), Infinity);
const summary = (xs: number[]) => `${fmt(pct(xs, 50))} / ${fmt(pct(xs, 99))} / ${fmt(maxOf(xs))} ms`;

async function main(): Promise<void> {
  log(`deadlines benchmark: ${COUNTIES} counties, deadlines ${DEADLINE_S} s; load average ${load()}; raw limits first`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', (e) => log(`bench pool: ${e.message}`));
  const { bull, pgRate } = await rawLimits(pool, PREFIX);

  const ds = await new DataSource(dataSourceOptions(DB_URL)).initialize();
  const seeded = await seedProvince(ds, { size: { counties: COUNTIES } });
  await ds.destroy();
  log(`province seeded in ${fmt(seeded.elapsedMs / 1000, 1)} s: ${fmt(seeded.counts.persons)} persons`);
  await issueApiKey(pool, 'bench', 'ingest', '500000', INGEST_KEY);
  const idle = await rawDelayedLateness(PREFIX, Math.ceil(seeded.counts.persons / TASKS_PER_JOB));
  log(`idle BullMQ: ${fmt(idle.length)} delayed jobs due at once, start − due p50/p99/max ${summary(idle)}`);

  const { env, apiPort, simPort } = await appsEnv({
    dbUrl: DB_URL,
    prefix: PREFIX,
    // Red by SMS only; every tier's deadline DEADLINE_S, so later rounds run too; reminders past the run.
    specFile: specFile((levels) => {
      levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
      levels.red.tiers.forEach((t) => Object.assign(t, { ackDeadlineMin: DEADLINE_S / 60, reminderIntervalMin: 600 }));
    }),
    extra: { SWEEP_STALE_MS: '600000', DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '6' },
  });
  const apps = APPS.map((name) => startApp(DIST, name, env, 'bench-dl'));
  process.on('exit', () => apps.forEach((a) => a.child.kill('SIGTERM')));
  try {
    await waitForApps({ api: apiPort, sim: simPort }, 120_000, LIMIT_MS + 600_000);
    await sleep(1500); // workers connected
    log(`apps up; load average ${load()}`);
    const t0 = Date.now();
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/cap+xml' },
      body: cap(`BENCH-DEADLINES-${PREFIX}`, seeded.countyCodes, '红色'),
    });
    if (res.status !== 202) {
      throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`);
    }
    const warningId = (JSON.parse(await res.text()) as { id: string }).id;

    // Each waited-for call's first deadline, kept as soon as its county's matching committed (later rounds move
    // deadline_at on); read every 250 ms until the last county is matched, so no call has escalated yet when kept.
    await pool.query(`CREATE TABLE bench_waited (id uuid PRIMARY KEY, deadline_at timestamptz NOT NULL)`);
    const keepNew = () =>
      pool.query(
        `INSERT INTO bench_waited SELECT id, deadline_at FROM call_tasks
         WHERE warning_id = $1 AND requires_ack AND deadline_at IS NOT NULL AND state <> 'unreachable'
           AND escalation_step = 0 AND escalated_from_task_id IS NULL
         ON CONFLICT DO NOTHING`,
        [warningId],
      );
    const matchedAll = async () =>
      (
        await pool.query(
          `SELECT 1 FROM dispatches d WHERE d.warning_id = $1
             AND NOT EXISTS (SELECT 1 FROM match_chunks c WHERE c.dispatch_id = d.id AND c.done_at IS NULL)`,
          [warningId],
        )
      ).rowCount;
    const firstCallS = await waitUntil(
      'calls created',
      async () =>
        (await pool.query(`SELECT 1 FROM call_tasks WHERE warning_id = $1 LIMIT 1`, [warningId])).rowCount &&
        (Date.now() - t0) / 1000,
      300_000,
      250,
      LIMIT_MS + 600_000,
    );
    const matchedS = await waitUntil(
      'every county matched',
      async () => (await keepNew(), await matchedAll()) && (Date.now() - t0) / 1000,
      LIMIT_MS,
      250,
      LIMIT_MS + 600_000,
    );
    await keepNew();
    log(`first calls committed ${fmt(firstCallS, 1)} s after ingest, the last county ${fmt(matchedS, 1)} s`);
    const { rows: waited } = await pool.query<{ id: string; deadline_at: Date }>(
      `SELECT id, deadline_at FROM bench_waited`,
    );
    const deadlines = new Map(waited.map((r) => [r.id, r.deadline_at.getTime()]));
    const times = [...deadlines.values()];
    const [firstDue, lastDue] = [minOf(times), maxOf(times)];
    log(`${fmt(deadlines.size)} calls wait for an answer; deadlines within ${fmt(lastDue - firstDue)} ms`);

    // The fan-out still running when the deadlines fall due: how many of the warning's SMS were accepted by then.
    await waitUntil('first deadline', () => Promise.resolve(Date.now() >= firstDue), LIMIT_MS, 100, LIMIT_MS + 600_000);
    const sentAt = async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(a.sent_at)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1`,
          [warningId],
        )
      ).rows[0].n;
    const acceptedAtDue = await sentAt();
    log(`deadlines due; ${fmt(acceptedAtDue)} of ${fmt(deadlines.size)} persons' SMS accepted so far`);

    let lastLog = 0;
    const loads: string[] = [];
    // Polled cheaply (a call's first climb moves its step on); read in full once all are in.
    await waitUntil(
      'every call escalated or time limit',
      async () => {
        const {
          rows: [n],
        } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM bench_waited b JOIN call_tasks t ON t.id = b.id WHERE t.escalation_step > 0`,
        );
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          loads.push(load());
          log(`first escalations ${fmt(n.n)} of ${fmt(deadlines.size)}; load average ${load()}`);
        }
        return n.n >= deadlines.size || Date.now() - started > LIMIT_MS;
      },
      LIMIT_MS + 600_000,
      1000,
      LIMIT_MS + 600_000,
    );
    const { rows: firsts } = await pool.query<{ id: string; at: Date }>(
      `SELECT e.call_task_id AS id, min(e.at) AS at FROM events e JOIN bench_waited b ON b.id = e.call_task_id
       WHERE e.type = ANY($1) GROUP BY e.call_task_id`,
      [ESCALATED],
    );
    const late = firsts.map((r) => r.at.getTime() - (deadlines.get(r.id) ?? 0));
    const lastAt = maxOf(firsts.map((r) => r.at.getTime()));
    const memory = appUsage(apps);
    const all = firsts.length >= deadlines.size;
    const rows: Array<[string, string, string]> = [
      ['raw BullMQ process (no-op, concurrency 50)', `${fmt(bull.processPerS)} jobs/s`, ''],
      ['raw PostgreSQL insert (1000-row statements, 4 clients)', `${fmt(pgRate)} rows/s`, ''],
      [
        `idle BullMQ: ${fmt(idle.length)} delayed no-op jobs due at once, start − due`,
        summary(idle),
        'p50 / p99 / max; the queue alone, before the apps started',
      ],
      ['province generated', `${fmt(seeded.counts.persons)} persons in ${COUNTIES} counties`, ''],
      [
        'calls waiting for an answer',
        `${fmt(deadlines.size)}, deadlines within ${fmt(lastDue - firstDue)} ms`,
        `${fmt(acceptedAtDue)} of their SMS accepted when the first fell due${
          acceptedAtDue < deadlines.size ? ': the fan-out was still running' : ''
        }`,
      ],
      [
        'first escalation committed − deadline, p50 / p99 / max',
        late.length ? summary(late) : '—',
        `${fmt(late.length)} calls; target p99 ≤ 1,000 ms, max ≤ 3,000 ms: ${
          all && pct(late, 99) <= 1000 && maxOf(late) <= 3000 ? 'met' : 'MISSED'
        }`,
      ],
      [
        all ? 'every call escalated' : `escalated by the time limit (${LIMIT_MS / 1000} s into the run)`,
        `${fmt(firsts.length)} of ${fmt(deadlines.size)}`,
        `${fmt(firsts.length / ((lastAt - firstDue) / 1000))} escalations/s from the first deadline to the last`,
      ],
      ['ingest → first calls committed / every county matched', `${fmt(firstCallS, 1)} / ${fmt(matchedS, 1)} s`, ''],
      ['ingest → last first escalation', `${fmt((lastAt - t0) / 1000, 1)} s`, ''],
      ...machineRows(memory, loads),
    ];
    printTable('Jiaoying deadlines benchmark', rows);
  } finally {
    await stopApps(apps, PREFIX);
    await pool.end();
  }
}

runBench(main, 'bench-dl');
