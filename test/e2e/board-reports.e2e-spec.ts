import request from 'supertest';
import {
  insertLoudspeaker,
  insertPerson,
  insertShelter,
  insertUnit,
  insertWarningWithCalls,
  issueApiKey,
  resetDatabase,
} from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';

const COUNTY = '500230';
const TOWN_A = '500230101';
const TOWN_B = '500230102';
const OTHER_COUNTY = '500231';
const DAY = 86_400_000;

interface Offender {
  personId: string;
  name: string;
  townName: string | null;
  missed: number;
  called: number;
  warnings: Array<{ warningId: string; headline: string }>;
  issues: Array<{ id: string; kind: string; state: string; title: string }>;
}

/**
 * The commander's reports: non-responders and repeat offenders linked to the problem list, the sector dimension, the
 * 复盘 as data for the printable page, and loudspeakers and shelters as map points; role × region, bad input → 4xx.
 */
describe('board reports', () => {
  let api: ApiOnly;
  let commander: string;
  let duty: string;
  let otherCommander: string;
  const people: Record<string, string> = {};
  const warnings: string[] = [];
  const now = Date.now();

  const get = (key: string, path: string) => request(api.server).get(path).set('Authorization', `Bearer ${key}`);
  const post = (key: string, path: string, body: object) =>
    request(api.server).post(path).set('Authorization', `Bearer ${key}`).send(body);
  const offenders = async (query = '', key = commander) =>
    (await get(key, `/api/v1/reports/non-responders${query}`).expect(200)).body as Offender[];

  beforeAll(async () => {
    api = await startApiOnly();
    await resetDatabase(api.ds);
    await insertUnit(api.ds, { code: COUNTY, name: '测试县', level: 'county', lon: 107.7, lat: 29.9, r: 0.3 });
    await insertUnit(api.ds, {
      code: TOWN_A,
      name: '甲镇',
      level: 'town',
      parentCode: COUNTY,
      lon: 107.6,
      lat: 29.9,
      r: 0.1,
    });
    await insertUnit(api.ds, {
      code: TOWN_B,
      name: '乙镇',
      level: 'town',
      parentCode: COUNTY,
      lon: 107.8,
      lat: 29.9,
      r: 0.1,
    });
    await insertUnit(api.ds, { code: OTHER_COUNTY, name: '邻县', level: 'county', lon: 108.5, lat: 29.9, r: 0.3 });
    people.silent = await insertPerson(api.ds, { name: '屡次甲', unitCode: TOWN_A, title: '村支书' });
    people.once = await insertPerson(api.ds, { name: '一次乙', unitCode: TOWN_A });
    people.good = await insertPerson(api.ds, { name: '及时丙', unitCode: TOWN_B });
    people.neighbour = await insertPerson(api.ds, { name: '邻县丁', unitCode: OTHER_COUNTY });
    // Three real warnings in the last week: 屡次甲 answers none, 一次乙 misses one, 及时丙 answers all in 2–4 minutes.
    for (let i = 0; i < 3; i++) {
      warnings.push(
        await insertWarningWithCalls(api.ds, {
          headline: `测试暴雨预警${i + 1}`,
          sent: new Date(now - (i + 1) * DAY),
          unitCode: COUNTY,
          calls: [
            { personId: people.silent, answeredAfterS: null },
            { personId: people.once, answeredAfterS: i === 0 ? null : 60, sector: 'geo_hazard', roleSlot: 'monitor' },
            { personId: people.good, answeredAfterS: 120 * (i + 1) },
            { personId: people.neighbour, answeredAfterS: null },
          ],
        }),
      );
    }
    // A drill 一次乙 ignores and an older warning 及时丙 ignored: neither is in the default period of real warnings.
    await insertWarningWithCalls(api.ds, {
      headline: '演练',
      sent: new Date(now - DAY / 2),
      unitCode: COUNTY,
      drill: true,
      calls: [{ personId: people.once, answeredAfterS: null }],
    });
    await insertWarningWithCalls(api.ds, {
      headline: '旧预警',
      sent: new Date(now - 60 * DAY),
      unitCode: COUNTY,
      calls: [{ personId: people.good, answeredAfterS: null }],
    });
    commander = await issueApiKey(api.ds, 'county-commander', 'commander', COUNTY);
    duty = await issueApiKey(api.ds, 'county-duty', 'duty_officer', COUNTY);
    otherCommander = await issueApiKey(api.ds, 'other-commander', 'commander', OTHER_COUNTY);
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  it('lists repeat offenders (no answer in 2 warnings by default) and every non-responder with min=1, in the caller’s region', async () => {
    const repeat = await offenders();
    expect(repeat.map((o) => [o.name, o.townName, o.missed, o.called])).toEqual([['屡次甲', '甲镇', 3, 3]]);
    expect(repeat[0].warnings.map((w) => w.headline)).toEqual(['测试暴雨预警1', '测试暴雨预警2', '测试暴雨预警3']);
    expect(repeat[0].issues).toEqual([]);
    expect((await offenders('?min=1')).map((o) => [o.name, o.missed])).toEqual([
      ['屡次甲', 3],
      ['一次乙', 1],
    ]);
    expect((await offenders('?min=1&drill=true')).map((o) => o.name)).toEqual(['一次乙']);
    expect((await offenders('', otherCommander)).map((o) => o.name)).toEqual(['邻县丁']);
    // A period that reaches back two months finds 及时丙's old silence too.
    const from = new Date(now - 90 * DAY).toISOString();
    expect((await offenders(`?min=1&from=${encodeURIComponent(from)}`)).map((o) => o.name)).toContain('及时丙');
  });

  it('refuses bad input with a 400 in Chinese and English', async () => {
    for (const query of [
      '?min=0',
      '?min=abc',
      '?from=yesterday',
      `?from=${new Date(now).toISOString()}&to=${new Date(now - DAY).toISOString()}`,
    ]) {
      const res = await get(commander, `/api/v1/reports/non-responders${query}`).expect(400);
      expect(JSON.stringify(res.body)).toMatch(/[\u4e00-\u9fff]/);
    }
    await post(commander, '/api/v1/reports/non-responders/issues', { personIds: [] }).expect(400);
    await post(commander, '/api/v1/reports/non-responders/issues', { personIds: ['not-a-uuid'] }).expect(400);
  });

  it('lets the commander put repeat offenders on the problem list once, and shows the item’s state as it moves', async () => {
    await post(duty, '/api/v1/reports/non-responders/issues', { personIds: [people.silent] }).expect(403);
    // 及时丙 is not on the list: nothing at all is written.
    const refused = await post(commander, '/api/v1/reports/non-responders/issues', {
      personIds: [people.silent, people.good],
    }).expect(400);
    expect((refused.body as { message: string }).message).toContain('不在');
    expect(await api.ds.query(`SELECT 1 FROM issue_items`)).toEqual([]);
    // Another county's commander cannot list a person of this county.
    await post(otherCommander, '/api/v1/reports/non-responders/issues', { personIds: [people.silent] }).expect(400);

    const first = (
      await post(commander, '/api/v1/reports/non-responders/issues', { personIds: [people.silent] }).expect(200)
    ).body as { created: string[]; existing: string[] };
    expect(first.created).toHaveLength(1);
    const again = (
      await post(commander, '/api/v1/reports/non-responders/issues', { personIds: [people.silent] }).expect(200)
    ).body as typeof first;
    expect(again).toEqual({ created: [], existing: [people.silent] });

    const [listed] = await offenders();
    expect(listed.issues).toEqual([
      expect.objectContaining({ id: first.created[0], kind: 'repeat_no_answer', state: 'open' }),
    ]);
    expect(listed.issues[0].title).toContain('3 次预警中未应答');
    const [item] = await api.ds.query<Array<{ warning_id: string; detail: { missed: number; warnings: unknown[] } }>>(
      `SELECT warning_id, detail FROM issue_items WHERE id = $1`,
      [first.created[0]],
    );
    expect(item.warning_id).toBe(warnings[0]);
    expect(item.detail.missed).toBe(3);
    expect(item.detail.warnings).toHaveLength(3);

    // 待整改 → 整改中 → 已核实 → 已销号 through the problem list's own API; struck off, the person may be listed again.
    for (const to of ['rectifying', 'verified', 'closed']) {
      await post(commander, `/api/v1/issues/${first.created[0]}/transition`, { to, note: '已约谈' }).expect(200);
      expect((await offenders())[0].issues[0].state).toBe(to);
    }
    const third = (
      await post(commander, '/api/v1/reports/non-responders/issues', { personIds: [people.silent] }).expect(200)
    ).body as typeof first;
    expect(third.created).toHaveLength(1);
    expect((await offenders())[0].issues.map((i) => i.state)).toEqual(['open', 'closed']);
  });

  it('reports 叫应率 and time to answer by sector beside the other dimensions', async () => {
    const rows = (await get(commander, '/api/v1/reports/ack?by=sector').expect(200)).body as Array<{
      key: string;
      name: string;
      calls: number;
      answered: number;
      medianSeconds: number | null;
    }>;
    expect(rows.map((r) => [r.key, r.name, r.calls, r.answered])).toEqual([
      ['flood', '防汛', 6, 3],
      ['geo_hazard', '地质灾害', 3, 2],
    ]);
    expect(rows[0].medianSeconds).toBe(240);
    expect(rows[1].medianSeconds).toBe(60);
  });

  it('gives the 复盘 as data for the printable page, region-scoped', async () => {
    const review = (await get(commander, `/api/v1/reports/warnings/${warnings[0]}/review`).expect(200)).body as {
      warning: { headline: string };
      summary: Array<[string, string | number]>;
      sections: Array<{ name: string; rows: unknown[][] }>;
    };
    expect(review.warning.headline).toBe('测试暴雨预警1');
    expect(review.summary[0]).toEqual(['叫应率', '33%']);
    expect(review.sections.map((s) => s.name)).toEqual(['叫应', '发送', '升级', '督办']);
    expect(review.sections[0].rows).toHaveLength(3);
    // The neighbouring county sees its own called person only; a county nobody was called in does not see it at all.
    const theirs = (await get(otherCommander, `/api/v1/reports/warnings/${warnings[0]}/review`).expect(200))
      .body as typeof review;
    expect(theirs.sections[0].rows.map((r) => r[0])).toEqual(['邻县丁']);
    const stranger = await issueApiKey(api.ds, 'stranger', 'commander', '500232');
    await get(stranger, `/api/v1/reports/warnings/${warnings[0]}/review`).expect(404);
    // Stored words read in Chinese.
    expect(review.sections[0].rows.map((r) => r[4]).sort()).toEqual(['已升级', '已升级', '已应答']);
  });

  it('writes the 复盘 as a PDF with the Chinese font embedded, region-scoped', async () => {
    const res = await get(commander, `/api/v1/reports/warnings/${warnings[0]}/review.pdf`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="review-${warnings[0]}.pdf"`);
    const pdf = (res.body as Buffer).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    // A subset of WenQuanYi Micro Hei is embedded (TrueType program and a ToUnicode map, so the text can be searched).
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYiMicroHei/);
    expect(pdf).toContain('/FontFile2');
    expect(pdf).toContain('/ToUnicode');
    expect((res.body as Buffer).length).toBeLessThan(500_000);
    const stranger = await issueApiKey(api.ds, 'stranger-pdf', 'commander', '500232');
    await get(stranger, `/api/v1/reports/warnings/${warnings[0]}/review.pdf`).expect(404);
  });

  it('puts loudspeakers and shelters on the map as points, only within the caller’s region', async () => {
    await insertLoudspeaker(api.ds, {
      code: 'LS-TEST-1',
      name: '甲镇广场广播',
      unitCode: TOWN_A,
      lon: 107.61,
      lat: 29.91,
    });
    await insertShelter(api.ds, {
      code: 'SH-TEST-1',
      name: '甲镇中学安置点',
      unitCode: TOWN_A,
      capacity: 300,
      lon: 107.62,
      lat: 29.92,
    });
    await insertShelter(api.ds, {
      code: 'SH-TEST-2',
      name: '邻县安置点',
      unitCode: OTHER_COUNTY,
      capacity: 50,
      lon: 108.5,
      lat: 29.9,
    });
    const fc = (await get(commander, `/api/v1/geo/facilities?within=${COUNTY}`).expect(200)).body as {
      features: Array<{
        geometry: { type: string; coordinates: number[] };
        properties: { kind: string; code: string; name: string; capacity: number | null };
      }>;
    };
    expect(
      fc.features.map((f) => [f.properties.kind, f.properties.code, f.geometry.type, f.geometry.coordinates]),
    ).toEqual([
      ['loudspeaker', 'LS-TEST-1', 'Point', [107.61, 29.91]],
      ['shelter', 'SH-TEST-1', 'Point', [107.62, 29.92]],
    ]);
    expect(fc.features[1].properties.capacity).toBe(300);
    await get(otherCommander, `/api/v1/geo/facilities?within=${COUNTY}`).expect(404);
    await get(commander, '/api/v1/geo/facilities?within=abc').expect(400);
  });
});
