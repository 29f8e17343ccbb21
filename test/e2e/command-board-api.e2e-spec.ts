import ExcelJS from 'exceljs';
import request from 'supertest';
import { waitFor } from '@app/common';
import { DEMO_ACCOUNTS, DemoSummary, seedDemo, seedDemoAccounts } from '@app/demo';
import type { BoardUnit, CommandBoard } from '@app/desk';
import { insertUser } from '@app/testing';
import { Pipeline, startPipeline } from '../support/pipeline';
import { openBoardStream, Stream } from './board-support';
import { answer, issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

interface Session {
  cookie: string;
  csrf: string;
}

/** The commander's board API: aggregates by 区县→乡镇→村, colours by deadline, drill-down, live events, actions; role × region. */
describe('command board API', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let commander: Session;
  let otherTown: Session;
  let warningId: string;
  let stream: Stream;

  const signIn = async (username: string, password: string): Promise<Session> => {
    const res = await request(p.server).post('/api/v1/auth/login').send({ username, password }).expect(200);
    return {
      cookie: (res.headers['set-cookie'] as unknown as string[])[0].split(';')[0],
      csrf: (res.body as { csrfToken: string }).csrfToken,
    };
  };
  const get = (s: Session, path: string) => request(p.server).get(path).set('Cookie', s.cookie);
  const post = (s: Session, path: string, body: object = {}) =>
    request(p.server).post(path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send(body);
  const board = async (s: Session = commander) =>
    (await get(s, `/api/v1/command-board?warningId=${warningId}`).expect(200)).body as CommandBoard;
  const find = (units: BoardUnit[], code: string): BoardUnit | undefined => {
    for (const u of units) {
      const hit = u.code === code ? u : find(u.children, code);
      if (hit) {
        return hit;
      }
    }
    return undefined;
  };
  const password = (u: string) => DEMO_ACCOUNTS.find((a) => a.username === u)!.password;

  beforeAll(async () => {
    // Red deadline 10 min × 0.02 = 12 s: long enough to read the amber board, short enough to watch it turn red.
    p = await startPipeline({ TIMER_SCALE: '0.02' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    await seedDemoAccounts(p.ds);
    const [town] = await p.ds.query<Array<{ code: string }>>(
      `SELECT code FROM admin_units WHERE parent_code = '500230' AND level = 'town' AND code <> $1 ORDER BY code LIMIT 1`,
      [demo.shizhi.townCode],
    );
    await insertUser(p.ds, {
      username: 'other-town',
      password: 'other-town-pass-88',
      role: 'duty_officer',
      regionCode: town.code,
    });
    commander = await signIn('fd-commander', password('fd-commander'));
    otherTown = await signIn('other-town', 'other-town-pass-88');
    stream = await openBoardStream(p.server, commander.cookie);
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    ({ id: warningId } = await postCap(p, ingest, {
      identifier: 'BOARD-API',
      geocode: demo.shizhi.villageCode,
      headline: '十直镇暴雨红色预警',
    }));
    await waitMatched(p.ds, warningId);
  }, 120_000);

  afterAll(async () => {
    // The open event stream must not hold the api up: shutdown ends it.
    await p.stop();
    await stream?.ended;
  });

  it('counts the warning by county, town and village: amber while deadlines run, with the earliest one', async () => {
    const b = await board();
    const tasks = (await tasksOf(p.ds, warningId)).filter((t) => t.requires_ack);
    expect(b.totals.called).toBeGreaterThan(0);
    expect(b.totals.awaited).toBe(tasks.length);
    expect(b.totals.answered).toBe(0);
    expect(b.totals.rate).toBe(0);
    expect(b.warnings.map((w) => w.id)).toEqual([warningId]);
    const village = find(b.tree, demo.shizhi.villageCode)!;
    expect(b.tree[0].code).toBe('500230');
    expect(find(b.tree, demo.shizhi.townCode)!.children.map((c) => c.code)).toContain(demo.shizhi.villageCode);
    expect(village.name).toBe(demo.shizhi.villageName);
    if (b.totals.overdue === 0) {
      // Nobody without a usable number in this village: every deadline is still running.
      expect(village.status).toBe('amber');
      expect(new Date(village.nextDeadline!).getTime()).toBeGreaterThan(Date.now());
    }
    expect(b.totals.running + b.totals.overdue + b.totals.answered).toBe(b.totals.awaited);
  });

  it('pushes an answer as an event for the warning and the town, and the board counts it', async () => {
    const [task] = (await tasksOf(p.ds, warningId)).filter((t) => t.requires_ack && t.state !== 'unreachable');
    const before = stream.changes.length;
    expect((await answer(p, task)).status).toBe(200);
    await waitFor(
      () =>
        stream.changes
          .slice(before)
          .some((c) => c.warnings.includes(warningId) && c.towns.includes(demo.shizhi.townCode)),
      {
        what: 'an SSE change for the warning and 十直镇',
      },
    );
    const b = await board();
    expect(b.totals.answered).toBe(1);
    expect(b.totals.rate).toBeGreaterThan(0);
  });

  it('turns red when a deadline passes, and the drill-down lists the overdue people with their channels', async () => {
    await waitFor(async () => find((await board()).tree, demo.shizhi.villageCode)?.status === 'red', {
      what: 'the village is red',
      timeoutMs: 40_000,
    });
    const b = await board();
    expect(b.totals.overdue).toBeGreaterThan(0);
    const page = (
      await get(
        commander,
        `/api/v1/command-board/people?warningId=${warningId}&unit=${demo.shizhi.villageCode}&filter=overdue&pageSize=5`,
      ).expect(200)
    ).body as {
      items: Array<{ overdue: boolean; mobile: string | null; channels: unknown[]; name: string }>;
      total: number;
    };
    expect(page.total).toBe(find(b.tree, demo.shizhi.villageCode)!.overdue);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((i) => i.overdue)).toBe(true);
    expect(page.items.some((i) => i.channels.length > 0)).toBe(true);
    for (const i of page.items.filter((x) => x.mobile)) {
      expect(i.mobile).toMatch(/\*{4}/);
    }
  }, 60_000);

  it('re-calls a unit’s silent people now and hands the rest to the duty desk', async () => {
    const recalled = (
      await post(commander, `/api/v1/command-board/units/${demo.shizhi.villageCode}/recall`, { warningId }).expect(200)
    ).body as { calls: number; messages: number };
    expect(recalled.calls).toBeGreaterThan(0);
    const [{ n }] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM events WHERE warning_id = $1 AND type = 'CallRecalled' AND actor = 'user:fd-commander'`,
      [warningId],
    );
    expect(n).toBe(recalled.calls);
    const handed = (
      await post(commander, `/api/v1/command-board/units/${demo.shizhi.villageCode}/hand-over`, { warningId }).expect(
        200,
      )
    ).body as { calls: number };
    const [{ m }] = await p.ds.query<Array<{ m: number }>>(
      `SELECT count(*)::int AS m FROM call_tasks WHERE warning_id = $1 AND manual_call_at IS NOT NULL`,
      [warningId],
    );
    expect(m).toBeGreaterThanOrEqual(handed.calls);
    expect(m).toBeGreaterThan(0);
  });

  it('reports 叫应率 and time to answer by town, and writes the warning’s 复盘 workbook', async () => {
    const rows = (await get(commander, '/api/v1/reports/ack?by=town').expect(200)).body as Array<{
      key: string;
      name: string;
      calls: number;
      answered: number;
      rate: number;
      medianSeconds: number | null;
    }>;
    const town = rows.find((r) => r.key === demo.shizhi.townCode)!;
    expect(town.name).toBe(demo.shizhi.townName);
    expect(town.calls).toBeGreaterThan(0);
    const [county] = (await get(commander, '/api/v1/reports/ack?by=county').expect(200)).body as typeof rows;
    expect(county).toMatchObject({ key: '500230', name: '丰都县' });
    expect(county.answered).toBeGreaterThan(0);
    expect(county.rate).toBeCloseTo(county.answered / county.calls, 3);
    expect(county.medianSeconds).not.toBeNull();
    expect((await get(commander, '/api/v1/reports/ack?by=town&drill=true').expect(200)).body).toEqual([]);
    expect((await get(otherTown, '/api/v1/reports/ack?by=town').expect(200)).body).toEqual([]);
    const bad = await get(commander, '/api/v1/reports/ack?by=planet').expect(400);
    expect(JSON.stringify(bad.body)).toContain('by 须为');

    const res = await get(commander, `/api/v1/reports/warnings/${warningId}/review.xlsx`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-disposition']).toContain('.xlsx');
    const book = new ExcelJS.Workbook();
    const bytes: unknown = res.body;
    await book.xlsx.load(bytes as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['概况', '叫应', '发送', '升级', '督办']);
    const [{ n }] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM call_tasks WHERE warning_id = $1`,
      [warningId],
    );
    expect(book.getWorksheet('叫应')!.actualRowCount).toBe(n + 1);
    expect(book.getWorksheet('升级')!.actualRowCount).toBeGreaterThan(1);
    const sent = book
      .getWorksheet('发送')!
      .getColumn(5)
      .values.filter((v): v is string => typeof v === 'string' && v !== '号码');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((v) => !/^1\d{10}$/.test(v))).toBe(true);
    await get(otherTown, `/api/v1/reports/warnings/${warningId}/review.xlsx`).expect(404);
  });

  it('keeps to the caller’s region and answers bad input with 4xx in Chinese and English', async () => {
    await get(otherTown, `/api/v1/command-board?warningId=${warningId}`).expect(404);
    const all = (await get(otherTown, '/api/v1/command-board').expect(200)).body as CommandBoard;
    expect(all.tree).toEqual([]);
    expect(all.totals.called).toBe(0);
    await post(otherTown, `/api/v1/command-board/units/${demo.shizhi.villageCode}/recall`, {}).expect(404);
    const bad = await get(commander, '/api/v1/command-board/people?unit=abc&filter=nope').expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/区划代码.*division code|division code.*区划代码/);
    await get(commander, '/api/v1/command-board?warningId=not-a-uuid').expect(400);
    await request(p.server).get('/api/v1/command-board').expect(401);
    await insertUser(p.ds, {
      username: 'fd-viewer',
      password: 'viewer-pass-8888',
      role: 'viewer',
      regionCode: '500230',
    });
    const viewer = await signIn('fd-viewer', 'viewer-pass-8888');
    await get(viewer, `/api/v1/command-board?warningId=${warningId}`).expect(200);
    await post(viewer, `/api/v1/command-board/units/${demo.shizhi.villageCode}/recall`, {}).expect(403);
  });
});
