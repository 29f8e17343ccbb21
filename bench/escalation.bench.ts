/**
 * Escalation benchmark: a red warning over a town of 5,000 responsible persons where nobody answers, every app its own
 * process, SMS through the carrier simulator. Per round (one tier deadline each): how many 督办 and reminders went out,
 * and how long the round took to plan (checks committed) and to send (last message accepted). Beside it, in the same
 * run: raw BullMQ no-op processing and raw PostgreSQL inserts.
 *
 *   npm run build && node dist/bench/escalation.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench, recreated), REDIS_URL, BENCH_POOL_MAX (6 per app), BENCH_PERSONS (5000), BENCH_ROUND_S (30: every
 * tier's deadline, so the reminder interval too), BENCH_ROUNDS (3 rounds after the first call).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { issueApiKey } from '@app/database';
import {
  appsEnv,
  cap,
  fmt,
  freshDatabase,
  log,
  peakRssMiB,
  printTable,
  rawLimits,
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
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench';
const PERSONS = Number(process.env.BENCH_PERSONS ?? 5_000);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PREFIX = `jy-bench-esc-${Date.now()}`;
const INGEST_KEY = 'bench-ingest-key-0000000000000000';
const TOWN = '509900001';
/** A busy machine may take several rounds' time to finish a round: allow it, the figures say how long it took. */
const HARD_LIMIT_MS = (ROUNDS + 6) * ROUND_S * 1000 + 600_000;

const chainId = (role: string) =>
  createHash('md5')
    .update(`bench-chain-${role}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const CHAIN = { leader: chainId('leader'), duty: chainId('duty'), commander: chainId('commander') };

/** The town's persons on their zones, and above them the 包镇领导, the county duty officer and the commander. */
async function fixture(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO admin_units (code, name, level, parent_code) VALUES ('509900', '压测县', 'county', NULL)`,
  );
  await pool.query(`INSERT INTO admin_units (code, name, level, parent_code, geom) VALUES
    ('${TOWN}', '压测甲镇', 'town', '509900', ST_Multi(ST_MakeEnvelope(106, 29, 106.5, 29.5, 4326)))`);
  await townRoster(pool, TOWN, PERSONS, Math.ceil(PERSONS / 4), 106);
  await pool.query(
    `INSERT INTO persons (id, name, admin_unit_code, synthetic) VALUES ($1, '包镇领导', '509900', true), ($2, '县值班员', '509900', true), ($3, '县指挥长', '509900', true)`,
    [CHAIN.leader, CHAIN.duty, CHAIN.commander],
  );
  await pool.query(
    `INSERT INTO contact_methods (person_id, channel, address) VALUES ($1, 'sms', '13900000001'), ($1, 'email', 'leader@bench.test'),
       ($2, 'sms', '13900000002'), ($2, 'email', 'duty@bench.test'), ($3, 'sms', '13900000003'), ($3, 'email', 'commander@bench.test')`,
    [CHAIN.leader, CHAIN.duty, CHAIN.commander],
  );
  await pool.query(
    `INSERT INTO contracting_assignments (leader_person_id, admin_unit_code, level) VALUES ($1, $2, 'county_town')`,
    [CHAIN.leader, TOWN],
  );
  await pool.query(
    `INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id) VALUES
       ($1, 'all', 'duty_officer', 'unit', '509900'), ($2, 'all', 'commander', 'unit', '509900')`,
    [CHAIN.duty, CHAIN.commander],
  );
  await issueApiKey(pool, 'bench', 'ingest', '500000', INGEST_KEY);
  await pool.query('ANALYZE');
}

interface Round {
  round: number;
  due: Date;
  notices: number;
  noticePeople: number;
  largest: number;
  noticeMessages: number;
  /** Silent calls of the round checked after its 督办 went out: on its page, no second message. */
  late: number;
  reminders: number;
  remindersAccepted: number;
  planMs: number;
  sendMs: number;
}

/** What happened in round k: from its due time to the next. */
async function roundFigures(pool: Pool, warningId: string, k: number, first: Date, end: Date): Promise<Round> {
  const due = new Date(first.getTime() + (k - 1) * ROUND_S * 1000);
  const next = k === ROUNDS ? end : new Date(due.getTime() + ROUND_S * 1000);
  // 督办 by their round (an escalation wave of the warning), however late its checks ran; reminders by time.
  const {
    rows: [n],
  } = await pool.query<{
    notices: number;
    people: number;
    largest: number | null;
    messages: number;
    late: number;
    last_item: Date | null;
    last_sent: Date | null;
  }>(
    `WITH r AS (SELECT n.id, n.person_id, n.sent_at FROM escalation_notices n WHERE n.warning_id = $1 AND n.round = $2)
     SELECT (SELECT count(*)::int FROM r) AS notices, (SELECT count(DISTINCT person_id)::int FROM r) AS people,
            (SELECT max(c)::int FROM (SELECT count(*) AS c FROM escalation_notice_items i JOIN r ON r.id = i.notice_id GROUP BY i.notice_id) x) AS largest,
            (SELECT count(*)::int FROM notices m JOIN r ON m.dedupe_key = 'dubang-' || r.id) AS messages,
            (SELECT count(*)::int FROM escalation_notice_items i JOIN r ON r.id = i.notice_id WHERE i.added_at > r.sent_at) AS late,
            (SELECT max(i.added_at) FROM escalation_notice_items i JOIN r ON r.id = i.notice_id) AS last_item,
            (SELECT max(m.updated_at) FROM notices m JOIN r ON m.dedupe_key = 'dubang-' || r.id WHERE m.status IN ('sent','delivered')) AS last_sent`,
    [warningId, k],
  );
  const {
    rows: [r],
  } = await pool.query<{ reminders: number; accepted: number; last_created: Date | null; last_sent: Date | null }>(
    `SELECT count(*)::int AS reminders, count(a.sent_at)::int AS accepted, max(a.created_at) AS last_created, max(a.sent_at) AS last_sent
     FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
     WHERE t.warning_id = $1 AND a.rung > 100 AND a.created_at >= $2 AND a.created_at < $3`,
    [warningId, due, next],
  );
  const since = (d: Date | null) => (d ? d.getTime() - due.getTime() : 0);
  return {
    round: k,
    due,
    notices: n.notices,
    noticePeople: n.people,
    largest: n.largest ?? 0,
    noticeMessages: n.messages,
    late: n.late,
    reminders: r.reminders,
    remindersAccepted: r.accepted,
    planMs: Math.max(since(n.last_item), since(r.last_created)),
    sendMs: Math.max(since(n.last_sent), since(r.last_sent)),
  };
}

async function main(): Promise<void> {
  log(`escalation benchmark: ${fmt(PERSONS)} silent persons, rounds of ${ROUND_S} s; raw limits first`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', (e) => log(`bench pool: ${e.message}`)); // an idle connection ended by the server is replaced
  const { bull, pgRate } = await rawLimits(pool, PREFIX);
  await fixture(pool);
  log('fixture loaded');

  const { env, apiPort, simPort } = await appsEnv({
    dbUrl: DB_URL,
    prefix: PREFIX,
    // Red by SMS only (reminders too: the strongest rung), every tier's deadline one round.
    specFile: specFile((levels) => {
      levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
      levels.red.tiers.forEach((t) => (t.ackDeadlineMin = ROUND_S / 60));
    }),
    // Four apps on a PostgreSQL shared with others: BENCH_POOL_MAX connections each.
    extra: { SWEEP_STALE_MS: '600000', DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '6' },
  });
  const apps = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator'].map((name) =>
    startApp(DIST, name, env, 'bench-esc'),
  );
  process.on('exit', () => apps.forEach((a) => a.child.kill('SIGTERM')));
  try {
    await waitForApps({ api: apiPort, sim: simPort }, 120_000, HARD_LIMIT_MS);
    await sleep(1500); // workers connected
    log('apps up');
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/cap+xml' },
      body: cap(`BENCH-SILENT-${PREFIX}`, TOWN, '红色'),
    });
    if (res.status !== 202) {
      throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`);
    }
    const warningId = (JSON.parse(await res.text()) as { id: string }).id;
    // The first deadline: when the town's calls were created plus one round.
    const first = await waitUntil(
      'calls created',
      async () => {
        const {
          rows: [t],
        } = await pool.query<{ n: number; first: Date | null }>(
          `SELECT count(*)::int AS n, min(deadline_at) AS first FROM call_tasks WHERE warning_id = $1`,
          [warningId],
        );
        return t.n >= PERSONS ? t.first : null;
      },
      60_000,
      200,
      HARD_LIMIT_MS,
    );
    const end = new Date(first.getTime() + ROUNDS * ROUND_S * 1000);
    let lastLog = 0;
    await waitUntil(
      `${ROUNDS} rounds`,
      async () => {
        const {
          rows: [s],
        } = await pool.query<{ escalated: number; reminders: number; open: number; notices: number }>(
          `SELECT (SELECT count(*)::int FROM call_tasks WHERE warning_id = $1 AND state = 'escalated') AS escalated,
                (SELECT count(*)::int FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.rung > 100) AS reminders,
                (SELECT count(*)::int FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.status IN ('queued','sending')) AS open,
                (SELECT count(*)::int FROM escalation_notices WHERE warning_id = $1 AND sent_at IS NOT NULL) AS notices`,
          [warningId],
        );
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          log(
            `escalated ${fmt(s.escalated)}, 督办 sent ${s.notices}, reminders ${fmt(s.reminders)}, attempts in flight ${fmt(s.open)}`,
          );
        }
        return Date.now() > end.getTime() + ROUND_S * 500 && s.open === 0;
      },
      (ROUNDS + 5) * ROUND_S * 1000 + 420_000,
      500,
      HARD_LIMIT_MS,
    );
    const rounds: Round[] = [];
    for (let k = 1; k <= ROUNDS; k++) {
      rounds.push(await roundFigures(pool, warningId, k, first, new Date(end.getTime() + ROUND_S * 1000)));
    }
    const {
      rows: [manual],
    } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_tasks WHERE warning_id = $1 AND manual_call_at IS NOT NULL`,
      [warningId],
    );
    const memory = apps.map((a) => ({ name: a.name, mib: peakRssMiB(a.child.pid) }));
    const rows: Array<[string, string, string]> = [
      [
        'raw BullMQ process (no-op, concurrency 50)',
        `${fmt(bull.processPerS)} jobs/s`,
        `${fmt(PERSONS / bull.processPerS, 2)} s for ${fmt(PERSONS)} jobs`,
      ],
      ['raw PostgreSQL insert (1000-row statements, 4 clients)', `${fmt(pgRate)} rows/s`, ''],
      ...rounds.flatMap(
        (r): Array<[string, string, string]> => [
          [
            `round ${r.round} (due +${(r.due.getTime() - first.getTime()) / 1000} s): 督办`,
            `${r.notices} to ${r.noticePeople} people, ${r.noticeMessages} messages`,
            `largest lists ${fmt(r.largest)} silent calls; ${fmt(r.late)} checked after it went out joined its page`,
          ],
          [`round ${r.round}: reminders`, `${fmt(r.reminders)} (${fmt(r.remindersAccepted)} accepted)`, ''],
          [
            `round ${r.round}: planned / sent after due`,
            `${fmt(r.planMs / 1000, 1)} s / ${fmt(r.sendMs / 1000, 1)} s`,
            r.reminders > 0
              ? `${fmt(r.reminders / (r.sendMs / 1000))} reminders/s = ${fmt(r.reminders / (r.sendMs / 1000) / bull.processPerS, 2)}× raw BullMQ`
              : '',
          ],
        ],
      ),
      ['calls turned into 电话叫应 (top of the path silent)', fmt(manual.n), ''],
      ...memory.map((m): [string, string, string] => [`peak RSS ${m.name}`, `${fmt(m.mib)} MiB`, '']),
    ];
    printTable('Jiaoying escalation benchmark', rows);
  } finally {
    await stopApps(apps, PREFIX);
    await pool.end();
  }
}

runBench(main, 'bench-esc');
