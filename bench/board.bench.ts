/**
 * Commander board benchmark: one red warning calling 10,000 people over 30 towns × 10 villages, its calls in mixed
 * states (answered, deadlines running, overdue and escalated with 督办, unreachable, notify-only), seeded straight
 * into PostgreSQL; the api as its own process. It prints the board's first load (time, payload) and warm loads, a
 * town's drill-down page, and the time from an answer (POST manual-ack) to its server-sent event and to the board read
 * again after it — beside, in the same run, a bare query fetching the same 10,000 rows.
 *
 *   npm run build && node dist/bench/board.bench.js
 *
 * Env: BENCH_DATABASE_URL (default …/jiaoying_bench_board, recreated), REDIS_URL, BENCH_CALLS (10000), BENCH_ANSWERS (20).
 */
import http from 'node:http';
import { join } from 'node:path';
import { Pool } from 'pg';
import { issueApiKey } from '@app/database';
import { loadResponseSpecs, resolveSpec } from '@app/config';
import { appsEnv, fmt, freshDatabase, log, pct, printTable, startApp, stopApps, waitUntil } from './bench-kit';

const DIST = join(__dirname, '..');
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_board';
const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 20);
const PREFIX = `jy-bench-board-${Date.now()}`;
const COUNTY = '509900';
const COMMANDER_KEY = 'bench-commander-key-000000000000';
const DUTY_KEY = 'bench-duty-key-00000000000000000';
const WARNING = '00000000-0000-4000-8000-00000000b0a1';
const DISPATCH = '00000000-0000-4000-8000-00000000d1a1';

/** 30 towns × 10 villages, CALLS people spread over them (each run of 20 in one village), one call each in a mix of states. */
async function fixture(pool: Pool): Promise<void> {
  const spec = resolveSpec(loadResponseSpecs('config/response-specs.default.json'), 'rainstorm', 1, [COUNTY], 1);
  await pool.query(`INSERT INTO admin_units (code, name, level, parent_code) VALUES ($1, '压测县', 'county', NULL)`, [
    COUNTY,
  ]);
  await pool.query(
    `INSERT INTO admin_units (code, name, level, parent_code, geom)
     SELECT $1 || lpad(t::text, 3, '0'), '压测' || t || '镇', 'town', $1,
            ST_Multi(ST_MakeEnvelope(106 + (t % 6) * 0.1, 29 + (t / 6) * 0.1, 106.1 + (t % 6) * 0.1, 29.1 + (t / 6) * 0.1, 4326))
     FROM generate_series(1, 30) t`,
    [COUNTY],
  );
  await pool.query(
    `INSERT INTO admin_units (code, name, level, parent_code)
     SELECT $1 || lpad(t::text, 3, '0') || lpad((200 + v)::text, 3, '0'), '压测' || t || '镇' || v || '村', 'village', $1 || lpad(t::text, 3, '0')
     FROM generate_series(1, 30) t, generate_series(0, 9) v`,
    [COUNTY],
  );
  await pool.query(
    `INSERT INTO persons (id, name, admin_unit_code, synthetic)
     SELECT md5('board-person-' || i)::uuid, '责任人' || i, $1 || lpad(((i / 20) % 30 + 1)::text, 3, '0') || lpad((200 + (i / 600) % 10)::text, 3, '0'), true
     FROM generate_series(0, $2 - 1) i`,
    [COUNTY, CALLS],
  );
  await pool.query(
    `INSERT INTO contact_methods (person_id, channel, address)
     SELECT md5('board-person-' || i)::uuid, 'sms', '159' || lpad(i::text, 8, '0') FROM generate_series(0, $1 - 1) i`,
    [CALLS],
  );
  await pool.query(
    `INSERT INTO warnings (id, chain_id, source, sender, identifier, sent, msg_type, status, hazard_type, event, colour, level, headline, area_codes, state)
     VALUES ($1, $1, 'cap', 'bench', 'BENCH-BOARD', now() - interval '20 minutes', 'alert', 'actual', 'rainstorm', '暴雨红色预警', 'red', 1,
             '压测县暴雨红色预警', ARRAY[$2], 'tracking')`,
    [WARNING, COUNTY],
  );
  await pool.query(`INSERT INTO dispatches (id, warning_id, spec, recipient_count) VALUES ($1, $2, $3, $4)`, [
    DISPATCH,
    WARNING,
    JSON.stringify(spec),
    CALLS,
  ]);
  // i % 20: 0–7 answered, 8–12 running, 13–17 overdue and escalated (13–15 with a 督办 sent), 18 unreachable, 19 notify-only.
  await pool.query(
    `INSERT INTO call_tasks (id, warning_id, dispatch_id, person_id, reasons, state, requires_ack, deadline_at, acknowledged_at, overdue_since, escalation_step)
     SELECT md5('board-task-' || i)::uuid, $1, $2, md5('board-person-' || i)::uuid, '[{"kind":"assignment","roleSlot":"patrol"}]',
            CASE WHEN i % 20 < 8 THEN 'acknowledged' WHEN i % 20 < 13 THEN 'sent' WHEN i % 20 < 18 THEN 'escalated' WHEN i % 20 = 18 THEN 'escalated' ELSE 'sent' END,
            i % 20 <> 19,
            CASE WHEN i % 20 BETWEEN 8 AND 12 THEN now() + (i % 7 + 1) * interval '1 minute' WHEN i % 20 = 19 THEN NULL ELSE now() - interval '10 minutes' END,
            CASE WHEN i % 20 < 8 THEN now() - interval '15 minutes' END,
            CASE WHEN i % 20 BETWEEN 13 AND 18 THEN now() - interval '10 minutes' END,
            CASE WHEN i % 20 BETWEEN 13 AND 18 THEN 1 ELSE 0 END
     FROM generate_series(0, $3 - 1) i`,
    [WARNING, DISPATCH, CALLS],
  );
  await pool.query(
    `INSERT INTO acknowledgements (call_task_id, person_id, method, response, acknowledged_at)
     SELECT md5('board-task-' || i)::uuid, md5('board-person-' || i)::uuid, 'link', 'received', now() - interval '15 minutes'
     FROM generate_series(0, $1 - 1) i WHERE i % 20 < 8`,
    [CALLS],
  );
  // Two messages per call (the SMS and its retry): delivered, failed for the unreachable, still accepted otherwise.
  await pool.query(
    `INSERT INTO attempts (call_task_id, channel, contact_method_id, rung, idempotency_key, status, sent_at, receipt_at)
     SELECT t.id, 'sms', c.id, r, t.id || '-r' || r || '-sms',
            CASE WHEN i % 20 = 18 THEN 'failed' WHEN i % 3 = 0 THEN 'accepted' ELSE 'delivered' END, now() - interval '19 minutes',
            CASE WHEN i % 3 <> 0 THEN now() - interval '18 minutes' END
     FROM generate_series(0, $1 - 1) i JOIN call_tasks t ON t.id = md5('board-task-' || i)::uuid
     JOIN contact_methods c ON c.person_id = t.person_id, generate_series(0, 1) r`,
    [CALLS],
  );
  await pool.query(
    `INSERT INTO escalations (warning_id, from_task_id, to_task_id, reason, at)
     SELECT $1, md5('board-task-' || i)::uuid, NULL, CASE WHEN i % 20 = 18 THEN 'unreachable' ELSE 'no_ack' END, now() - interval '10 minutes'
     FROM generate_series(0, $2 - 1) i WHERE i % 20 BETWEEN 13 AND 18`,
    [WARNING, CALLS],
  );
  // One 督办 per town, sent, listing that town's silent calls of kinds 13–15.
  await pool.query(
    `INSERT INTO escalation_notices (id, warning_id, person_id, round, sent_at)
     SELECT md5('board-notice-' || t)::uuid, $1, md5('board-person-' || (t - 1))::uuid, 1, now() - interval '9 minutes' FROM generate_series(1, 30) t`,
    [WARNING],
  );
  await pool.query(
    `INSERT INTO escalation_notice_items (notice_id, call_task_id, added_at)
     SELECT md5('board-notice-' || (i % 30 + 1))::uuid, md5('board-task-' || i)::uuid, now() - interval '10 minutes'
     FROM generate_series(0, $1 - 1) i WHERE i % 20 BETWEEN 13 AND 15`,
    [CALLS],
  );
  await issueApiKey(pool, 'bench-commander', 'commander', COUNTY, COMMANDER_KEY);
  await issueApiKey(pool, 'bench-duty', 'duty_officer', COUNTY, DUTY_KEY);
  await pool.query('ANALYZE');
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

/** The board's event stream, as a browser holds it: resolves `next(predicate)` when a matching change arrives. */
function stream(port: number): Promise<{ next: (warning: string) => Promise<number>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const waiters: Array<{ warning: string; done: (at: number) => void }> = [];
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/command-board/events',
        headers: { authorization: `Bearer ${COMMANDER_KEY}` },
      },
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (/^event: change$/m.test(block) && data) {
              const change = JSON.parse(data) as { warnings: string[] };
              for (const w of waiters.splice(0).filter((x) => change.warnings.includes(x.warning))) {
                w.done(at);
              }
            }
          }
        });
        resolve({
          next: (warning) => new Promise<number>((done) => waiters.push({ warning, done })),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
  });
}

async function main(): Promise<void> {
  log(`board benchmark: ${fmt(CALLS)} calls of one warning over 30 towns × 10 villages`);
  await freshDatabase(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', (e) => log(`bench pool: ${e.message}`));
  await fixture(pool);
  log('fixture loaded');
  const { env, apiPort } = await appsEnv({
    dbUrl: DB_URL,
    prefix: PREFIX,
    specFile: 'config/response-specs.default.json',
    extra: { DATABASE_POOL_MAX: '6' },
  });
  const api = startApp(DIST, 'api', env, 'bench-board');
  process.on('exit', () => api.child.kill('SIGTERM'));
  const base = `http://127.0.0.1:${apiPort}`;
  try {
    await waitUntil(
      'api up',
      () =>
        fetch(`${base}/api/v1/health`).then(
          (r) => r.ok,
          () => false,
        ),
      120_000,
      250,
    );
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${COMMANDER_KEY}` } });
      const text = await res.text();
      if (!res.ok) {
        throw new Error(`${path}: HTTP ${res.status} ${text}`);
      }
      return text;
    };
    const boardPath = `/api/v1/command-board?warningId=${WARNING}`;
    const [firstMs, firstBody] = await timed(() => get(boardPath));
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) {
      warm.push((await timed(() => get(boardPath)))[0]);
    }
    const board = JSON.parse(firstBody) as { totals: Record<string, number> };
    const allMs = (await timed(() => get('/api/v1/command-board')))[0];
    const [peopleMs, peopleBody] = await timed(() =>
      get(`/api/v1/command-board/people?warningId=${WARNING}&unit=${COUNTY}001&filter=overdue&pageSize=20`),
    );

    // The bare query: the same 10,000 calls with their person's unit, every row to the client, in the same run.
    const bare: number[] = [];
    let bareBytes = 0;
    for (let i = 0; i < 5; i++) {
      const [ms, res] = await timed(() =>
        pool.query(
          `SELECT t.id, t.state, t.deadline_at, t.acknowledged_at, t.overdue_since, p.admin_unit_code FROM call_tasks t JOIN persons p ON p.id = t.person_id WHERE t.warning_id = $1`,
          [WARNING],
        ),
      );
      bare.push(ms);
      bareBytes = JSON.stringify(res.rows).length;
    }

    // Answers of running calls, one at a time: POST → the SSE change for the warning → the board read again.
    const live = await stream(apiPort);
    const { rows: open } = await pool.query<{ id: string }>(
      `SELECT t.id FROM call_tasks t WHERE t.warning_id = $1 AND t.state = 'sent' AND t.requires_ack ORDER BY t.id LIMIT $2`,
      [WARNING, ANSWERS],
    );
    const toEvent: number[] = [];
    const toBoard: number[] = [];
    for (const task of open) {
      const heard = live.next(WARNING);
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/calls/${task.id}/manual-ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DUTY_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ response: 'received', note: '电话叫应：本人接听，答复已收到' }),
      });
      if (!res.ok) {
        throw new Error(`manual-ack: HTTP ${res.status} ${await res.text()}`);
      }
      const at = await heard;
      toEvent.push(at - t0);
      await get(boardPath);
      toBoard.push(performance.now() - t0);
    }
    live.close();
    const answered = (JSON.parse(await get(boardPath)) as { totals: Record<string, number> }).totals.answered;

    printTable(
      `Commander board, ${fmt(CALLS)} calls of one warning, 30 towns × 10 villages (api process, 2 shared cores)`,
      [
        ['board first load', `${fmt(firstMs)} ms`, `${fmt(firstBody.length / 1024, 1)} KiB JSON; target < 1,000 ms`],
        ['board warm load p50 / max', `${fmt(pct(warm, 50))} / ${fmt(Math.max(...warm))} ms`, '10 loads'],
        ['board, every live warning', `${fmt(allMs)} ms`, 'no warningId'],
        ['drill-down page (a town, overdue, 20)', `${fmt(peopleMs)} ms`, `${fmt(peopleBody.length / 1024, 1)} KiB`],
        [
          'bare query of the same rows p50',
          `${fmt(pct(bare, 50))} ms`,
          `${fmt(bareBytes / 1024, 0)} KiB as JSON; the raw limit, same run`,
        ],
        [
          'answer → SSE event p50 / max',
          `${fmt(pct(toEvent, 50))} / ${fmt(Math.max(...toEvent))} ms`,
          `${open.length} answers; includes 250 ms coalescing`,
        ],
        [
          'answer → board read again p50 / max',
          `${fmt(pct(toBoard, 50))} / ${fmt(Math.max(...toBoard))} ms`,
          'target < 2,000 ms (the page adds a 400 ms debounce)',
        ],
        [
          'counts',
          `${board.totals.called} called`,
          `answered ${board.totals.answered} → ${answered}, running ${board.totals.running}, overdue ${board.totals.overdue}, unreachable ${board.totals.unreachable}, 督办未响应 ${board.totals.superviseSilent}`,
        ],
      ],
    );
  } finally {
    await stopApps([api], PREFIX);
    await pool.end();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
