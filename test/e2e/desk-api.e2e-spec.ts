import request from 'supertest';
import { waitFor } from '@app/common';
import { DEMO_ACCOUNTS, seedDemo, seedDemoAccounts } from '@app/demo';
import { insertUser, resetDatabase } from '@app/testing';
import { Pipeline, startPipeline } from '../support/pipeline';

const SHIZHI = '500230107';

interface Paged<T = Record<string, unknown>> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

interface Session {
  cookie: string;
  csrf: string;
}

/** The duty desk's APIs through people's sessions: lists, tree, map layers, preview summary, phone queue, role × region. */
describe('duty desk APIs', () => {
  let p: Pipeline;
  let county: Session;
  let second: Session;
  let town: Session;
  let otherTown: { code: string; name: string };
  let shizhiWarning: string;
  let otherWarning: string;

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
  const demo = (username: string) => DEMO_ACCOUNTS.find((a) => a.username === username)!;
  const expires = () => new Date(Date.now() + 6 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

  async function issue(s: Session, areaCode: string, headline: string): Promise<string> {
    const draft = await post(s, '/api/v1/officer-warnings', {
      hazardType: 'rainstorm',
      colour: 'orange',
      headline,
      areaCodes: [areaCode],
      expires: expires(),
    }).expect(201);
    const issued = await post(s, `/api/v1/officer-warnings/${(draft.body as { id: string }).id}/issue`).expect(202);
    const id = (issued.body as { id: string }).id;
    await waitFor(
      async () =>
        (await p.ds.query<unknown[]>(`SELECT 1 FROM warnings WHERE id = $1 AND state = 'tracking'`, [id])).length > 0,
      {
        what: 'the warning is matched and tracking',
      },
    );
    return id;
  }

  beforeAll(async () => {
    p = await startPipeline({ OFFICER_TWO_PERSON_RULE: 'red,public' });
    await resetDatabase(p.ds);
    await seedDemo(p.ds);
    await seedDemoAccounts(p.ds);
    [otherTown] = await p.ds.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM admin_units WHERE parent_code = '500230' AND level = 'town' AND code <> $1 ORDER BY code LIMIT 1`,
      [SHIZHI],
    );
    await insertUser(p.ds, {
      username: 'other-town',
      password: 'other-town-pass-88',
      role: 'duty_officer',
      regionCode: otherTown.code,
    });
    county = await signIn('fd-duty', demo('fd-duty').password);
    second = await signIn('fd-duty2', demo('fd-duty2').password);
    town = await signIn('sz-duty', demo('sz-duty').password);
    shizhiWarning = await issue(county, SHIZHI, '十直镇暴雨橙色预警');
    otherWarning = await issue(county, otherTown.code, `${otherTown.name}暴雨橙色预警`);
  });

  afterAll(async () => {
    await p.stop();
  });

  it('lists warnings in force with server-side pagination and filters, within the caller’s region', async () => {
    const all = (await get(county, '/api/v1/warnings?tab=active&page=1&pageSize=1').expect(200)).body as Paged<{
      id: string;
      hazardName: string;
      calls: { total: number };
    }>;
    expect(all).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(all.items).toHaveLength(1);
    const page2 = (await get(county, '/api/v1/warnings?tab=active&page=2&pageSize=1').expect(200)).body as Paged<{
      id: string;
    }>;
    expect([all.items[0].id, page2.items[0].id].sort()).toEqual([shizhiWarning, otherWarning].sort());
    expect(all.items[0].hazardName).toBe('暴雨');
    expect(all.items[0].calls.total).toBeGreaterThan(0);

    const byArea = (await get(county, `/api/v1/warnings?area=${otherTown.code}`).expect(200)).body as Paged<{
      id: string;
    }>;
    expect(byArea.items.map((w) => w.id)).toEqual([otherWarning]);
    expect(((await get(county, '/api/v1/warnings?hazard=forest_fire').expect(200)).body as Paged).total).toBe(0);
    expect(((await get(county, '/api/v1/warnings?level=orange&q=十直镇').expect(200)).body as Paged).total).toBe(1);
    expect(((await get(county, '/api/v1/warnings?tab=history').expect(200)).body as Paged).total).toBe(0);
    const bad = await get(county, '/api/v1/warnings?pageSize=1000&area=abc').expect(400);
    expect((bad.body as { message: string }).message).toMatch(/区划代码/);

    // The town officer sees only the town's warning.
    const mine = (await get(town, '/api/v1/warnings').expect(200)).body as Paged<{ id: string }>;
    expect(mine.items.map((w) => w.id)).toEqual([shizhiWarning]);
  });

  it('refuses a town officer another town’s warning: detail, chain, calls and a manual answer', async () => {
    await get(town, `/api/v1/warnings/${shizhiWarning}`).expect(200);
    await get(town, `/api/v1/warnings/${otherWarning}`).expect(404);
    await get(town, `/api/v1/warnings/${otherWarning}/chain`).expect(404);
    await get(town, `/api/v1/warnings/${otherWarning}/calls`).expect(404);
    await get(town, `/api/v1/warnings/${otherWarning}/escalations`).expect(404);
    const [task] = await p.ds.query<Array<{ id: string }>>(
      `SELECT t.id FROM call_tasks t JOIN persons p ON p.id = t.person_id WHERE t.warning_id = $1 AND p.admin_unit_code LIKE $2 || '%' LIMIT 1`,
      [otherWarning, otherTown.code],
    );
    await post(town, `/api/v1/calls/${task.id}/manual-ack`, { response: 'received', note: '电话确认已收到' }).expect(
      404,
    );
    const [{ acks }] = await p.ds.query<Array<{ acks: number }>>(
      `SELECT count(*)::int AS acks FROM acknowledgements WHERE call_task_id = $1 AND method = 'manual'`,
      [task.id],
    );
    expect(acks).toBe(0);
  });

  it('pages a warning’s calls and shows its chain', async () => {
    const chain = (await get(county, `/api/v1/warnings/${shizhiWarning}/chain`).expect(200)).body as Array<{
      id: string;
      version: number;
    }>;
    expect(chain).toEqual([expect.objectContaining({ id: shizhiWarning, version: 1 })]);
    const first = (await get(county, `/api/v1/warnings/${shizhiWarning}/calls?page=1&pageSize=3`).expect(200))
      .body as Paged<{ id: string; mobile: string | null }>;
    expect(first.items).toHaveLength(3);
    const [{ count }] = await p.ds.query<Array<{ count: number }>>(
      `SELECT count(*)::int FROM call_tasks WHERE warning_id = $1`,
      [shizhiWarning],
    );
    expect(first.total).toBe(count);
    expect(first.items.every((c) => c.mobile === null || /\*{4}/.test(c.mobile))).toBe(true);
    // Deadlines run at 1/1000 speed here: silent calls escalate within seconds.
    const escalations = await waitFor(
      async () => {
        const list = (await get(county, `/api/v1/warnings/${shizhiWarning}/escalations`).expect(200)).body as Array<{
          reason: string;
          fromPerson: string;
        }>;
        return list.length > 0 ? list : null;
      },
      { what: 'an escalation of the warning' },
    );
    expect(['no_ack', 'unreachable', 'cannot_comply']).toContain(escalations[0].reason);
    expect(escalations[0].fromPerson.length).toBeGreaterThan(0);
  });

  it('answers the division tree and search within the region', async () => {
    const own = (await get(town, '/api/v1/divisions').expect(200)).body as Array<{ code: string; name: string }>;
    expect(own).toEqual([expect.objectContaining({ code: SHIZHI, name: '十直镇', level: 'town', hasChildren: true })]);
    expect(
      ((await get(town, '/api/v1/divisions?parent=500230').expect(200)).body as Array<{ code: string }>).map(
        (d) => d.code,
      ),
    ).toEqual([SHIZHI]);
    const villages = (await get(town, `/api/v1/divisions?parent=${SHIZHI}`).expect(200)).body as Array<{
      code: string;
      level: string;
    }>;
    expect(villages.length).toBeGreaterThan(0);
    expect(villages.every((v) => v.code.startsWith(SHIZHI) && v.level === 'village')).toBe(true);
    const found = (await get(county, `/api/v1/divisions?q=${encodeURIComponent(otherTown.name)}`).expect(200))
      .body as Array<{ code: string; path: string }>;
    expect(found[0]).toMatchObject({ code: otherTown.code, path: `丰都县 / ${otherTown.name}` });
    expect((await get(town, `/api/v1/divisions?q=${encodeURIComponent(otherTown.name)}`).expect(200)).body).toEqual([]);
    await get(town, '/api/v1/divisions?parent=500151').expect(404);
  });

  it('serves boundaries and risk zones as simplified GeoJSON within the region', async () => {
    const towns = (await get(county, '/api/v1/geo/units?level=town&within=500230').expect(200)).body as {
      type: string;
      features: Array<{ geometry: { type: string }; properties: { code: string } }>;
    };
    const [{ count }] = await p.ds.query<Array<{ count: number }>>(
      `SELECT count(*)::int FROM admin_units WHERE level = 'town' AND code LIKE '500230%' AND geom IS NOT NULL`,
    );
    expect(towns.type).toBe('FeatureCollection');
    expect(towns.features).toHaveLength(count);
    expect(towns.features[0].geometry.type).toMatch(/Polygon/);
    const narrowed = (await get(town, '/api/v1/geo/units?level=town&within=500230').expect(200)).body as typeof towns;
    expect(narrowed.features.map((f) => f.properties.code)).toEqual([SHIZHI]);
    await get(town, '/api/v1/geo/units?level=town&within=500151').expect(404);
    await get(town, '/api/v1/geo/units?level=province').expect(400);
    const zones = (await get(town, '/api/v1/geo/zones').expect(200)).body as {
      features: Array<{ properties: { unitCode: string; hazardType: string } }>;
    };
    expect(zones.features.length).toBeGreaterThan(0);
    expect(zones.features.every((f) => f.properties.unitCode.startsWith(SHIZHI))).toBe(true);
  });

  it('gives hazards × levels in Chinese for the issue form', async () => {
    const hazards = (await get(town, '/api/v1/reference/hazards').expect(200)).body as Array<{
      code: string;
      name: string;
      levels: Array<{ colour: string; name: string; hex: string }>;
    }>;
    const rainstorm = hazards.find((h) => h.code === 'rainstorm')!;
    expect(rainstorm.name).toBe('暴雨');
    expect(rainstorm.levels[0]).toMatchObject({ colour: 'red', name: '暴雨红色预警', hex: '#E60012' });
  });

  it('summarises a preview for a person and proposes an update when the same hazard is in force there', async () => {
    const draft = { hazardType: 'rainstorm', colour: 'red', area: { codes: [SHIZHI] } };
    const summary = (await post(county, '/api/v1/warnings/preview/summary', draft).expect(200)).body as {
      counts: { total: number; unreachable: number };
      byCounty: Array<{ code: string; name: string; count: number }>;
      byTown: Array<{ code: string }>;
      unreachable: Array<{ name: string; why: string }>;
      overlapping: Array<{ id: string }>;
      proposeUpdate: boolean;
    };
    expect(summary.counts.total).toBeGreaterThan(0);
    expect(summary.byCounty).toEqual([{ code: '500230', name: '丰都县', count: summary.counts.total }]);
    expect(summary.byTown.map((t) => t.code)).toContain(SHIZHI);
    expect(summary.unreachable).toHaveLength(summary.counts.unreachable);
    expect(summary.unreachable.every((u) => u.why.length > 0)).toBe(true);
    expect(summary.overlapping.map((w) => w.id)).toEqual([shizhiWarning]);
    expect(summary.proposeUpdate).toBe(true);
    const elsewhere = (
      await post(county, '/api/v1/warnings/preview/summary', { ...draft, hazardType: 'forest_fire' }).expect(200)
    ).body as { proposeUpdate: boolean };
    expect(elsewhere.proposeUpdate).toBe(false);

    const page = (await post(county, '/api/v1/warnings/preview/recipients?page=2&pageSize=5', draft).expect(200))
      .body as Paged;
    expect(page).toMatchObject({ total: summary.counts.total, page: 2, pageSize: 5 });
    expect(page.items.length).toBe(Math.min(5, summary.counts.total - 5));
    await post(county, '/api/v1/warnings/preview/summary', {
      hazardType: 'rainstorm',
      colour: 'red',
      area: { codes: ['500151'] },
    }).expect(403);
  });

  it('queues the calls handed to the desk, red first and most overdue first, and takes a manual answer', async () => {
    const queue = await waitFor(
      async () => {
        const body = (await get(county, '/api/v1/calls/manual?pageSize=50').expect(200)).body as Paged<{
          callTaskId: string;
          why: string;
          whyZh: string;
          state: string;
          deadlineAt: string | null;
          person: { unitCode: string };
        }>;
        return body.total > 0 ? body : null;
      },
      { what: 'calls reach the desk' },
    );
    expect(queue.items[0].whyZh.length).toBeGreaterThan(0);
    // Both warnings are orange: people without a usable contact first, then the oldest deadline first.
    const order = queue.items.map((c) => [
      c.state === 'unreachable' ? 0 : 1,
      c.deadlineAt ? Date.parse(c.deadlineAt) : 0,
    ]);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    await insertUser(p.ds, {
      username: 'fd-viewer',
      password: 'viewer-pass-fengdu',
      role: 'viewer',
      regionCode: '500230',
    });
    const viewer = await signIn('fd-viewer', 'viewer-pass-fengdu');
    const seen = (await get(viewer, '/api/v1/calls/manual?pageSize=200').expect(200)).body as Paged<{
      phones: Array<{ address: string }>;
    }>;
    expect(seen.items.flatMap((c) => c.phones).every((ph) => /\*{4}/.test(ph.address))).toBe(true);
    const townQueue = (await get(town, '/api/v1/calls/manual?pageSize=200').expect(200)).body as typeof queue;
    expect(townQueue.items.every((c) => c.person.unitCode.startsWith(SHIZHI))).toBe(true);
    const target = townQueue.items[0] ?? queue.items[0];
    const who = townQueue.items[0] ? town : county;
    await post(who, `/api/v1/calls/${target.callTaskId}/manual-ack`, {
      response: 'received',
      note: '电话联系本人，已收到',
    }).expect(200);
    const after = (await get(county, '/api/v1/calls/manual?pageSize=200').expect(200)).body as typeof queue;
    expect(after.items.map((c) => c.callTaskId)).not.toContain(target.callTaskId);
    const [ack] = await p.ds.query<Array<{ method: string }>>(
      `SELECT method FROM acknowledgements WHERE call_task_id = $1`,
      [target.callTaskId],
    );
    expect(ack.method).toBe('manual');
  });

  it('lists drafts awaiting a second officer’s approval, marks the author’s own, and lets the other approve', async () => {
    const draft = await post(county, '/api/v1/officer-warnings', {
      hazardType: 'rainstorm',
      colour: 'red',
      headline: '十直镇暴雨红色预警',
      areaCodes: [SHIZHI],
      expires: expires(),
    }).expect(201);
    const id = (draft.body as { id: string }).id;
    const mine = (await get(county, '/api/v1/officer-warnings?awaiting=true').expect(200)).body as Paged<{
      id: string;
      mine: boolean;
      createdBy: string;
    }>;
    expect(mine.items).toEqual([expect.objectContaining({ id, mine: true, createdBy: 'user:fd-duty' })]);
    const theirs = (await get(second, '/api/v1/officer-warnings?awaiting=true').expect(200)).body as typeof mine;
    expect(theirs.items).toEqual([expect.objectContaining({ id, mine: false })]);
    await post(county, `/api/v1/officer-warnings/${id}/approve`).expect(403);
    await post(second, `/api/v1/officer-warnings/${id}/approve`).expect(200);
    expect(((await get(second, '/api/v1/officer-warnings?awaiting=true').expect(200)).body as Paged).total).toBe(0);
    const [event] = await p.ds.query<Array<{ actor: string }>>(
      `SELECT actor FROM events WHERE type = 'WarningDraftApproved' AND data->>'draftId' = $1`,
      [id],
    );
    expect(event.actor).toBe('user:fd-duty2');
  });
});
