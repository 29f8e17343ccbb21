import request from 'supertest';
import { ManualClock } from '@app/common';
import { DEMO_STATIONS, seedDemoStations } from '@app/demo';
import { resetDatabase } from '@app/testing';
import { answer, Answer, ApiOnly, issueKey, startApiOnly } from './ingest-helpers';

const T0 = new Date('2025-07-11T10:00:00+08:00');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000).toISOString();

/** Station readings and fire ratings through the API: thresholds raise a warning once and upgrade it by Update. */
describe('POST /api/v1/readings and /fire-danger-ratings', () => {
  const clock = new ManualClock(T0);
  let api: ApiOnly;
  let key: string;

  beforeAll(async () => {
    api = await startApiOnly({ clock });
    await resetDatabase(api.ds);
    await api.ds.query(`INSERT INTO admin_units (code, name, level, parent_code) VALUES
      ('500230', '丰都县', 'county', NULL), ('500230107', '十直镇', 'town', '500230'), ('500151', '铜梁区', 'county', NULL)`);
    expect(await seedDemoStations(api.ds)).toBe(DEMO_STATIONS.length);
    expect(await seedDemoStations(api.ds)).toBe(0);
    key = await issueKey(api.ds, 'gauges', 'ingest', '500230');
  });

  afterAll(async () => {
    await api.stop();
  });

  const post = (path: string, body: object) =>
    request(api.server).post(`/api/v1/${path}`).set('Authorization', `Bearer ${key}`).send(body);
  const sensorWarnings = () =>
    api.ds.query<
      Array<{
        id: string;
        chain_id: string;
        version: number;
        msg_type: string;
        colour: string;
        hazard_type: string;
        headline: string;
        area_codes: string[];
      }>
    >(
      `SELECT id, chain_id, version, msg_type, colour, hazard_type, headline, area_codes FROM warnings WHERE source = 'sensor' ORDER BY created_at`,
    );

  it('a river level over 警戒水位 raises one orange flood warning; repeats do not; 保证水位 upgrades it by Update', async () => {
    const below = await post('readings', { station: 'DEMO-HY-SHIZHI', at: minutes(0), waterLevel: 237.9 }).expect(202);
    expect(answer(below)).toMatchObject({ duplicate: false, level: { action: 'none' }, rain: null });

    clock.set(new Date(minutes(10)));
    const over = await post('readings', { station: 'DEMO-HY-SHIZHI', at: minutes(10), waterLevel: 238.7 }).expect(202);
    expect(answer(over).level).toMatchObject({ action: 'raised', colour: 'orange', outcome: 'created' });

    for (const [m, level] of [
      [20, 238.9],
      [30, 239.4],
      [40, 238.6],
    ] as const) {
      clock.set(new Date(minutes(m)));
      const again = await post('readings', { station: 'DEMO-HY-SHIZHI', at: minutes(m), waterLevel: level }).expect(
        202,
      );
      expect(answer(again).level).toMatchObject({ action: 'unchanged', warningId: answer(over).level.warningId });
    }
    expect(await sensorWarnings()).toHaveLength(1);

    clock.set(new Date(minutes(50)));
    const up = await post('readings', { station: 'DEMO-HY-SHIZHI', at: minutes(50), waterLevel: 241.3 }).expect(202);
    expect(answer(up).level).toMatchObject({ action: 'upgraded', colour: 'red', outcome: 'updated' });
    const chain = await sensorWarnings();
    expect(chain.map((w) => [w.version, w.msg_type, w.colour, w.hazard_type])).toEqual([
      [1, 'alert', 'orange', 'flood'],
      [2, 'update', 'red', 'flood'],
    ]);
    expect(chain[1].chain_id).toBe(chain[0].chain_id);
    expect(chain[1].headline).toContain('保证水位241米');
    expect(chain[1].area_codes).toEqual(['500230107']);

    // The same station and time again: stored once, answered 200.
    const dup = await post('readings', { station: 'DEMO-HY-SHIZHI', at: minutes(50), waterLevel: 241.3 }).expect(200);
    expect(answer(dup)).toMatchObject({ duplicate: true, level: { action: 'unchanged' } });
  });

  it('rainfall windows are summed from stored readings: 3 h over 50 mm gives an orange rainstorm warning', async () => {
    const rain = [
      [0, 12],
      [60, 18],
      [120, 15],
      [150, 9],
    ] as const; // 54 mm in the 3 h up to +150 min
    const results: Answer[] = [];
    for (const [m, mm] of rain) {
      clock.set(new Date(minutes(m)));
      results.push(
        answer(await post('readings', { station: 'DEMO-YL-SHIZHI', at: minutes(m), rainfallMm: mm }).expect(202)),
      );
    }
    expect(results.map((r) => r.rain.action)).toEqual(['none', 'none', 'none', 'raised']);
    expect(results[3]).toMatchObject({ rainfall: { 1: 24, 3: 54, 24: 54 }, rain: { colour: 'orange' } });
    const [w] = await api.ds.query<Array<{ hazard_type: string; headline: string }>>(
      `SELECT hazard_type, headline FROM warnings WHERE id = $1`,
      [results[3].rain.warningId],
    );
    expect(w).toEqual({
      hazard_type: 'rainstorm',
      headline: '十直镇雨量站（演示）暴雨橙色预警：3小时降雨量54毫米，达到50毫米',
    });
  });

  it('refuses what it cannot use, naming the field, and stores nothing', async () => {
    const cases: Array<[object, number, string]> = [
      [{ station: 'NO-SUCH', at: minutes(0), waterLevel: 1 }, 400, 'station'],
      [{ station: 'DEMO-YL-SHIZHI', at: minutes(0), waterLevel: 1 }, 400, 'waterLevel'],
      [{ station: 'DEMO-HY-SHIZHI', at: minutes(0) }, 400, 'waterLevel'],
      [{ station: 'DEMO-HY-SHIZHI', at: '2999-01-01T00:00:00+08:00', waterLevel: 1 }, 400, 'at'],
    ];
    const [{ n: before }] = await api.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM station_readings`);
    for (const [body, status, field] of cases) {
      const res = await post('readings', body);
      expect({ body, status: res.status, field: answer(res).details?.field }).toEqual({ body, status, field });
    }
    const dto = await post('readings', { station: 'DEMO-HY-SHIZHI', at: 'now', waterLevel: 'high' }).expect(400);
    expect(answer(dto).message).toMatch(/at must be ISO 8601.*waterLevel/);
    expect(await api.ds.query(`SELECT count(*)::int AS n FROM station_readings`)).toEqual([{ n: before }]);

    const tongliang = await issueKey(api.ds, 'tl-gauges', 'ingest', '500151');
    const outside = await request(api.server)
      .post('/api/v1/readings')
      .set('Authorization', `Bearer ${tongliang}`)
      .send({ station: 'DEMO-HY-SHIZHI', at: minutes(0), waterLevel: 250 })
      .expect(403);
    expect(answer(outside).message).toMatch(/outside your region 500151/);
  });

  it('fire danger ratings: 3 → yellow once a day, 5 upgrades to red, 1–2 raise nothing', async () => {
    clock.set(T0);
    const low = await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-07-11', rating: 2 }).expect(202);
    expect(answer(low)).toMatchObject({ action: 'none' });
    const yellow = await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-07-11', rating: 3 }).expect(
      202,
    );
    // A yellow alarm waits for the desk's 研判 (TRIAGE_HOLD's default); the red one calls at once.
    expect(answer(yellow)).toMatchObject({ action: 'raised', colour: 'yellow', held: true });
    const same = await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-07-11', rating: 3 }).expect(
      202,
    );
    expect(answer(same)).toMatchObject({ action: 'unchanged', warningId: answer(yellow).warningId });
    const red = await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-07-11', rating: 5 }).expect(202);
    expect(answer(red)).toMatchObject({ action: 'upgraded', colour: 'red', outcome: 'updated', held: false });
    const states = await api.ds.query<Array<{ state: string }>>(
      `SELECT state FROM warnings WHERE hazard_type = 'forest_fire' ORDER BY version`,
    );
    expect(states.map((w) => w.state)).toEqual(['superseded', 'received']);
    const fire = await api.ds.query<Array<{ version: number; colour: string; expires_at: Date }>>(
      `SELECT version, colour, expires_at FROM warnings WHERE hazard_type = 'forest_fire' ORDER BY version`,
    );
    expect(fire.map((f) => [f.version, f.colour])).toEqual([
      [1, 'yellow'],
      [2, 'red'],
    ]);
    expect(fire[1].expires_at.toISOString()).toBe('2025-07-11T16:00:00.000Z'); // midnight, China time
    expect(await api.ds.query(`SELECT rating FROM fire_danger_ratings WHERE area_code = '500230107'`)).toEqual([
      { rating: 5 },
    ]);

    await post('fire-danger-ratings', { areaCode: '500230999', date: '2025-07-11', rating: 4 }).expect(400);
    const badDay = await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-02-30', rating: 4 }).expect(
      400,
    );
    expect(answer(badDay).details).toMatchObject({ field: 'date' });
    await post('fire-danger-ratings', { areaCode: '500230107', date: '2025-07-11', rating: 6 }).expect(400);
  });
});
