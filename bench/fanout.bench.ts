/**
 * Fan-out benchmark: a red warning reaching 10,000 responsible persons plus 100,000 residents' area SMS
 * through the carrier simulator, every app as its own process, on loopback. Beside it, in the same run: raw BullMQ
 * (add + process of empty jobs) and raw PostgreSQL insert rate, and the lateness of another warning's deadlines.
 *
 *   npm run build && node dist/bench/fanout.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench, recreated), REDIS_URL, BENCH_QUEUE_PREFIX, BENCH_PERSONS, BENCH_RESIDENTS, BENCH_PROFILE,
 * BENCH_LIMIT_S (170: the whole run's limit; a loaded machine needs more).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { issueApiKey } from '@app/database';
import { QueueName, SMS_SENDS_AT_ONCE } from '@app/queue';
import { localAppsEnv, localPorts } from '@app/testing';
import {
  cap,
  connection,
  fmt,
  specFile,
  townRoster,
  freshDatabase,
  log,
  pct,
  peakRssMiB,
  rawBullmq,
  rawPostgres,
  rawSignedSms,
  REDIS_URL,
  sleep,
  started,
  startApp,
  waitForApps,
  waitUntil,
} from './bench-kit';

const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench';
const PERSONS = Number(process.env.BENCH_PERSONS ?? 10_000);
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 100_000);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_S ?? 170) * 1000;
const PROBES = 20;
const DEADLINE_PERSONS = 200;
/** BENCH_QUEUE_PREFIX: the start of the run's queue prefix (a shared Redis keeps each developer's keys apart). */
const PREFIX = `${process.env.BENCH_QUEUE_PREFIX ?? 'jy-bench'}-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';

// ---------------------------------------------------------------- raw limits of this machine, this run

// ---------------------------------------------------------------- fixture: one county, three towns

const TOWN_BIG = '509900001';
const TOWN_DEADLINE = '509900002';
const TOWN_PROBE = '509900003';

async function fixture(pool: Pool): Promise<void> {
  const box = (x: number) => `ST_Multi(ST_MakeEnvelope(${x}, 29, ${x + 0.5}, 29.5, 4326))`;
  await pool.query(
    `INSERT INTO admin_units (code, name, level, parent_code) VALUES ('509900', '压测县', 'county', NULL)`,
  );
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
    await townRoster(pool, town, persons, zones, x);
  }
  await pool.query(
    `INSERT INTO resident_phones (risk_zone_id, phone)
     SELECT md5($1 || '-zone-' || (i % $3))::uuid, '13' || lpad(i::text, 9, '0') FROM generate_series(0, $2 - 1) i`,
    [TOWN_BIG, RESIDENTS, Math.ceil(PERSONS / 4)],
  );
  await issueApiKey(pool, 'bench', 'ingest', '500000', INGEST_KEY);
  await pool.query('ANALYZE');
}

/** Red and orange call by SMS only; red's answer deadline is far, orange's 6 s (the deadlines we time). */
function benchSpecFile(): string {
  return specFile((levels) => {
    levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
    levels.red.tiers.forEach((t) => (t.ackDeadlineMin = 60));
    levels.orange.ladder = [{ atMin: 0, channels: ['sms'] }];
    levels.orange.tiers.forEach((t) => (t.ackDeadlineMin = 0.1));
  });
}

// ---------------------------------------------------------------- the apps, each its own process

async function main(): Promise<void> {
  log(`fan-out benchmark: ${fmt(PERSONS)} persons + ${fmt(RESIDENTS)} residents; raw limits first`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 6 });
  const bull = await rawBullmq(PREFIX);
  log(`raw BullMQ add ${fmt(bull.addPerS)}/s, process ${fmt(bull.processPerS)}/s`);
  const pgRate = await rawPostgres(pool);
  log(`raw PostgreSQL insert ${fmt(pgRate)} rows/s`);
  await fixture(pool);
  log('fixture loaded');

  const ports = await localPorts();
  const [apiPort, simPort] = [ports.api, ports.sim];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...localAppsEnv(ports, PREFIX),
    NODE_ENV: 'test', // production mode refuses the carrier simulators
    DATABASE_URL: DB_URL,
    REDIS_URL,
    RESPONSE_SPEC_FILE: benchSpecFile(),
    TIMER_SCALE: '1',
    PROVIDER_TPS: 'alibaba-sim:50000,tencent-sim:50000,alibaba-voice-sim:1000,tencent-voice-sim:1000',
    LOG_LEVEL: 'warn',
    SWEEP_STALE_MS: '120000',
  };
  const apps = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'].map((name) => startApp(DIST, name, env));
  const stopAll = () => apps.forEach((a) => a.child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    await waitForApps({ api: apiPort, sim: simPort }, 60_000);
    await sleep(1500); // workers connected
    log('apps up');
    // The raw limit of the persons' path: as many signed SendSms as there are persons, at the dispatcher's SMS
    // concurrency, from this process straight to the simulator (the dispatcher idle meanwhile).
    const rawSms = await rawSignedSms(env, PERSONS, SMS_SENDS_AT_ONCE);
    log(`raw signed SendSms ${fmt(rawSms.perS)}/s (${rawSms.failed} failed)`);
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
    const matchingQueue = new Queue(QueueName.Matching, { connection, prefix: PREFIX });
    const smsQueue = new Queue(QueueName.DispatchSmsPages, { connection, prefix: PREFIX });
    for (let i = 0; i < PROBES; i++) {
      const t0 = Date.now();
      const id = await ingest(`BENCH-PROBE-${PREFIX}-${i}`, TOWN_PROBE, '红色');
      const answered = Date.now();
      const first = await waitUntil('probe accepted', () => firstAccepted(id), 10_000, 5);
      latencies.push(first.getTime() - t0);
      const match = await matchingQueue.getJob(`match-${id}`);
      const {
        rows: [attempt],
      } = await pool.query<{ id: string }>(
        `SELECT a.id FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 ORDER BY a.sent_at LIMIT 1`,
        [id],
      );
      // The page that carried it (a probe's persons fit one page).
      const send = (await smsQueue.getJobs(['completed', 'active'])).find((j) =>
        (j.data as { attemptIds: string[] }).attemptIds.includes(attempt.id),
      );
      stages.push([
        answered - t0,
        (match?.processedOn ?? 0) - (match?.timestamp ?? 0),
        (match?.finishedOn ?? 0) - (match?.processedOn ?? 0),
        (send?.processedOn ?? 0) - (send?.timestamp ?? 0),
        first.getTime() - (send?.processedOn ?? 0),
      ]);
      await sleep(100);
    }
    await Promise.all([matchingQueue.close(), smsQueue.close()]);
    log(
      `first accepted after ingest: p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms (each: ${latencies.join(', ')})`,
    );
    const stage = (k: number) =>
      `${pct(
        stages.map((s) => s[k]),
        50,
      )}/${Math.max(...stages.map((s) => s[k]))}`;
    log(
      `  stages p50/max ms: API answer ${stage(0)}, matching wait ${stage(1)}, matching run ${stage(2)}, send wait ${stage(3)}, send run ${stage(4)}`,
    );
    log(`  first probe (after boot): ${stages[0].join(' / ')} ms`);

    // 2. The fan-out, with another warning's deadlines (6 s, own queue) falling due in the middle of it.
    const t0 = Date.now();
    const big = await ingest(`BENCH-RED-${PREFIX}`, TOWN_BIG, '红色');
    await sleep(300);
    const other = await ingest(`BENCH-ORANGE-${PREFIX}`, TOWN_DEADLINE, '橙色');
    const expected = PERSONS + RESIDENTS;
    let lastLog = 0;
    const done = await waitUntil(
      'all accepted',
      async () => {
        const { rows } = await pool.query<{
          persons: number;
          residents: number;
          last_p: Date | null;
          last_r: Date | null;
        }>(
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
      },
      150_000,
      // Once a second: the figures come from the rows' own times, and this count over every attempt of the warning
      // took 58 ms of PostgreSQL (over a quarter of a core at 200 ms) while the fan-out it measures ran.
      1000,
      LIMIT_MS,
    );
    const firstBig = (await firstAccepted(big)) as Date;
    const lastAt = Math.max(done.last_p?.getTime() ?? 0, done.last_r?.getTime() ?? 0);
    const allMs = lastAt - t0;
    const perS = expected / (allMs / 1000);
    const personsPerS = PERSONS / (((done.last_p?.getTime() ?? 0) - t0) / 1000);

    // Every silent call of the other warning escalated once (later rounds climb on; only the first counts here): a
    // climb, or, for a call with no one above (as here), 电话叫应 handed to the duty desk.
    const ESCALATED = ['CallEscalated', 'EscalationExhausted'];
    await waitUntil(
      'other warning escalated',
      async () => {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(DISTINCT call_task_id)::int AS n FROM events WHERE warning_id = $1 AND type = ANY($2)`,
          [other, ESCALATED],
        );
        return rows[0].n >= DEADLINE_PERSONS ? true : null;
      },
      30_000,
      250,
      LIMIT_MS,
    );
    // When each deadline job started, against its due time: the queue's part of the lateness.
    const deadlines = new Queue(QueueName.Deadlines, { connection, prefix: PREFIX });
    const otherTasks = new Set(
      (await pool.query<{ id: string }>(`SELECT id FROM call_tasks WHERE warning_id = $1`, [other])).rows.map(
        (r) => r.id,
      ),
    );
    type CheckData = { callTaskIds: string[]; step: unknown; dueAt: string };
    const firedJobs = (await deadlines.getJobs(['completed'], 0, 5000)).filter(
      (j) =>
        (j.data as CheckData).step === 'deadline' &&
        (j.data as CheckData).callTaskIds?.some((id) => otherTasks.has(id)),
    );
    const fired = firedJobs.flatMap((j) => {
      const d = j.data as CheckData;
      return d.callTaskIds.filter((id) => otherTasks.has(id)).map(() => (j.processedOn ?? 0) - Date.parse(d.dueAt));
    });
    // Each call's first deadline (its first check job's due time) against the time its first escalation was planned
    // (its event's clock reading). The call's own deadline_at and updated_at move on with later rounds.
    const firstDue = new Map<string, number>();
    for (const j of firedJobs) {
      const d = j.data as CheckData;
      for (const id of d.callTaskIds.filter((t) => otherTasks.has(t))) {
        firstDue.set(id, Math.min(firstDue.get(id) ?? Infinity, Date.parse(d.dueAt)));
      }
    }
    const { rows: firstEscalations } = await pool.query<{ id: string; at: Date }>(
      `SELECT call_task_id AS id, min(at) AS at FROM events WHERE warning_id = $1 AND type = ANY($2) GROUP BY call_task_id`,
      [other, ESCALATED],
    );
    const lateness = firstEscalations
      .filter((e) => firstDue.has(e.id))
      .map((e) => e.at.getTime() - (firstDue.get(e.id) ?? 0));
    await deadlines.close();
    const simStats = (await (await fetch(`http://127.0.0.1:${simPort}/sms/stats`)).json()) as {
      messages: number;
      duplicates: number;
    };
    const memory = apps.map((a) => ({ name: a.name, mib: peakRssMiB(a.child.pid) }));

    const rows: Array<[string, string, string]> = [
      ['raw BullMQ addBulk (empty jobs)', `${fmt(bull.addPerS)} jobs/s`, ''],
      ['raw BullMQ process (no-op, concurrency 50)', `${fmt(bull.processPerS)} jobs/s`, ''],
      ['raw PostgreSQL insert (1000-row statements, 4 clients)', `${fmt(pgRate)} rows/s`, ''],
      [`ingest → first accepted, p50 (${PROBES} warnings, quiet)`, `${fmt(pct(latencies, 50))} ms`, ''],
      [
        `ingest → first accepted, p99 (${PROBES} warnings, quiet)`,
        `${fmt(pct(latencies, 99))} ms`,
        pct(latencies, 99) < 300 ? 'target < 300 ms: met' : 'target < 300 ms: MISSED',
      ],
      ['ingest → first accepted, the big warning', `${fmt(firstBig.getTime() - t0)} ms`, ''],
      [`ingest → all ${fmt(expected)} accepted`, `${fmt(allMs / 1000, 1)} s`, ''],
      [
        '  of which persons (one request each)',
        `${fmt(PERSONS)} in ${fmt(((done.last_p?.getTime() ?? 0) - t0) / 1000, 1)} s (${fmt(personsPerS)}/s)`,
        '',
      ],
      [
        '  of which residents (area SMS, 1000 numbers/request)',
        RESIDENTS > 0
          ? `${fmt(RESIDENTS)} by ${fmt(((done.last_r?.getTime() ?? 0) - t0) / 1000, 1)} s`
          : 'none (BENCH_RESIDENTS=0)',
        '',
      ],
      [
        'end-to-end messages/s',
        `${fmt(perS)}/s`,
        `${fmt(perS / bull.processPerS, 2)}× raw BullMQ process (target ≥ 0.5): ${perS / bull.processPerS >= 0.5 ? 'met' : 'MISSED'}`,
      ],
      [
        '  persons only (pages of 50, one request each)',
        `${fmt(personsPerS)}/s`,
        `${fmt(personsPerS / bull.processPerS, 2)}× raw BullMQ process; ${fmt(personsPerS / rawSms.perS, 2)}× raw signed SendSms (target ≥ 0.6): ${personsPerS / rawSms.perS >= 0.6 ? 'met' : 'MISSED'}`,
      ],
      [
        `raw signed SendSms, ${fmt(PERSONS)} at concurrency ${SMS_SENDS_AT_ONCE} (no queue, no claim, no write)`,
        `${fmt(rawSms.perS)}/s`,
        `${rawSms.failed} failed`,
      ],
      [
        'simulator inbox',
        `${fmt(simStats.messages)} SMS`,
        `${fmt(simStats.messages - PROBES * 4 - DEADLINE_PERSONS - PERSONS)} of the fan-out (after the raw loop's ${fmt(PERSONS)})`,
      ],
      [
        '  of them sent twice (an idempotency key taken again)',
        `${fmt(simStats.duplicates)}`,
        simStats.duplicates === 0 ? 'none: every batch and message reached the carrier once' : 'DUPLICATES',
      ],
      [
        `other warning's ${DEADLINE_PERSONS} deadlines (6 s): job start − due, p50 / p99 / max`,
        `${fmt(pct(fired, 50))} / ${fmt(pct(fired, 99))} / ${fmt(Math.max(...fired))} ms`,
        `own queue (call-deadlines); ${fired.length} tasks in ${firedJobs.length} jobs`,
      ],
      [
        '  first escalation planned − due, p50 / p99 / max',
        `${fmt(pct(lateness, 50))} / ${fmt(pct(lateness, 99))} / ${fmt(Math.max(...lateness))} ms`,
        `all 200 fall due at once; ${lateness.length} first escalations matched to their due time`,
      ],
      ...memory.map((m): [string, string, string] => [`peak RSS ${m.name}`, `${fmt(m.mib)} MiB`, '']),
    ];
    const w1 = Math.max(...rows.map((r) => r[0].length));
    const w2 = Math.max(...rows.map((r) => r[1].length));
    process.stdout.write(
      `\nJiaoying fan-out benchmark (${new Date().toISOString()}, ${fmt((Date.now() - started) / 1000, 0)} s)\n`,
    );
    process.stdout.write(
      `${'measure'.padEnd(w1)} | ${'value'.padEnd(w2)} | note\n${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-----\n`,
    );
    for (const [a, b, c] of rows) {
      process.stdout.write(`${a.padEnd(w1)} | ${b.padEnd(w2)} | ${c}\n`);
    }
  } finally {
    stopAll();
    await Promise.all(
      apps.map((a) => new Promise((r) => (a.child.exitCode !== null ? r(0) : a.child.once('exit', r)))),
    );
    for (const name of Object.values(QueueName)) {
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
