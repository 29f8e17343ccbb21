import * as fs from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '@app/common';
import { REAL_WARNINGS_VIEW, WarningQueryService } from '@app/alerts';
import { resetDatabase } from '@app/testing';
import { capXml } from '../support/cap-builder';
import { answer, ApiOnly, issueKey, rowCounts, startApiOnly } from './ingest-helpers';

const CAP = join(__dirname, '../fixtures/cap');
const fixture = (name: string) => fs.readFileSync(join(CAP, name));

/** The clock reads "received one minute after it was sent", so every message is judged as on the day it came. */
function sentOf(body: Buffer): Date {
  const m = /<(?:cap:)?sent>([^<]+)</.exec(body.toString('latin1'));
  if (!m) {
    throw new Error('no <sent>');
  }
  return new Date(m[1]);
}

/** Every CAP fixture through POST /api/v1/alerts (API only, clock pinned per message). */
describe('POST /api/v1/alerts: every fixture gets the right answer', () => {
  const clock = new ManualClock(new Date('2024-07-11T02:00:00+08:00'));
  let api: ApiOnly;
  let key: string;

  beforeAll(async () => {
    api = await startApiOnly({ clock });
    await resetDatabase(api.ds);
    key = await issueKey(api.ds, 'ingest', 'ingest', '500000');
  });

  afterAll(async () => {
    await api.stop();
  });

  const post = (body: Buffer | string, type = 'application/cap+xml') =>
    request(api.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${key}`)
      .set('Content-Type', type)
      .send(body);

  async function ingest(
    name: string,
    expected: { status: number; outcome?: string; field?: string; problem?: RegExp },
  ) {
    const body = fixture(name);
    clock.set(new Date(sentOf(body).getTime() + 60_000));
    const before = await rowCounts(api.ds);
    const res = await post(body);
    expect({ name, status: res.status }).toEqual({ name, status: expected.status });
    if (expected.outcome) {
      expect(answer(res)).toMatchObject({
        outcome: expected.outcome,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      });
    }
    if (expected.field) {
      expect(answer(res)).toMatchObject({ error: 'validation_failed', details: { field: expected.field } });
      expect(answer(res).message).toMatch(expected.problem ?? /./);
      expect(await rowCounts(api.ds)).toEqual(before);
    }
    return answer(res);
  }

  it.each([
    ['oasis-v1dot2_appendix_adot1.xml', 202, 'created'],
    ['oasis-v1dot2_appendix_adot2.xml', 202, 'created'],
    ['oasis-v1dot2_appendix_adot3.xml', 202, 'update_started_new_chain'],
    ['oasis-v1dot2_appendix_adot4.xml', 202, 'created'],
    ['google-weather.cap', 202, 'created'],
    ['google-earthquake.cap', 202, 'created'],
    ['google-earthquake-iso8859-1.cap', 202, 'created'],
    // The same sender+identifier+sent as google-earthquake.cap, without its info block: already received.
    ['google-no_optional_fields.cap', 200, 'duplicate'],
  ])('accepts %s (%i %s)', async (name, status, outcome) => {
    await ingest(name, { status, outcome });
  });

  it.each([['google-invalid.cap', 'scope', /scope: required element is missing/]])(
    'refuses %s with 400 naming %s, storing nothing',
    async (name, field, problem) => {
      await ingest(name, { status: 400, field, problem });
    },
  );

  it('refuses google-xee at its DOCTYPE without reading a file or opening a connection', async () => {
    const realFs = jest.requireActual<typeof fs>('node:fs');
    const spies = [
      jest.spyOn(realFs, 'readFileSync'),
      jest.spyOn(realFs, 'openSync'),
      jest.spyOn(realFs, 'readFile'),
      jest.spyOn(realFs, 'open'),
    ];
    const connect = jest.spyOn(net.Socket.prototype, 'connect');
    try {
      await ingest('google-xee.cap', { status: 400, field: 'xml', problem: /DOCTYPE/ });
      const touched = spies
        .flatMap((s) => s.mock.calls.map((c) => String(c[0])))
        .filter((p) => /passwd|payload/.test(p));
      expect(touched).toEqual([]);
      expect(connect.mock.calls.filter((c) => JSON.stringify(c).includes('8080'))).toEqual([]);
    } finally {
      spies.forEach((s) => s.mockRestore());
      connect.mockRestore();
    }
  });

  it('takes the zh-CN chain: red Alert, orange Update, Cancel, and answers what happened', async () => {
    const red = await ingest('zh/rainstorm-red-shizhi.xml', { status: 202, outcome: 'created' });
    const orange = await ingest('zh/rainstorm-orange-update.xml', { status: 202, outcome: 'updated' });
    expect(orange).toMatchObject({ chainId: red.chainId, version: 2 });
    const cancel = await ingest('zh/rainstorm-cancel.xml', { status: 202, outcome: 'cancelled' });
    expect(cancel).toMatchObject({ chainId: red.chainId, version: 3 });
    const states = await api.ds.query<Array<{ version: number; state: string; colour: string | null }>>(
      `SELECT version, state, colour FROM warnings WHERE chain_id = $1 ORDER BY version`,
      [red.chainId],
    );
    expect(states.map((s) => s.colour)).toEqual(['red', 'orange', 'orange']);
    expect(states.every((s) => s.state !== 'received')).toBe(true);
  });

  it('lifts a warning with a Cancel that has no info block, which takes its subject from the warning', async () => {
    const sent = '2024-07-11T03:00:00+08:00';
    clock.set(new Date('2024-07-11T03:01:00+08:00'));
    const alert = answer(
      await post(capXml({ identifier: 'FD-BARE-CANCEL-1', sent, geocode: '500230107' })).expect(202),
    );
    const bareCancel = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>FD-BARE-CANCEL-2</identifier>
<sender>fengdu-qxt@cma.gov.cn</sender><sent>2024-07-11T03:30:00+08:00</sent><status>Actual</status>
<msgType>Cancel</msgType><scope>Public</scope><references>fengdu-qxt@cma.gov.cn,FD-BARE-CANCEL-1,${sent}</references></alert>`;
    clock.set(new Date('2024-07-11T03:31:00+08:00'));
    const cancel = answer(await post(bareCancel).expect(202));
    expect(cancel).toMatchObject({ outcome: 'cancelled', chainId: alert.chainId, version: 2 });
    const chain = await api.ds.query<
      Array<{ version: number; state: string; level: number; headline: string; hazard_type: string }>
    >(`SELECT version, state, level, headline, hazard_type FROM warnings WHERE chain_id = $1 ORDER BY version`, [
      alert.chainId,
    ]);
    expect(chain.map((w) => w.state)).toEqual(['lifted', 'lifted']);
    expect(chain[1]).toMatchObject({ level: 1, hazard_type: 'rainstorm', headline: chain[0].headline });
  });

  it.each([
    ['zh/rainstorm-yellow-polygon.xml', 'yellow'],
    ['zh/rainstorm-blue-geocode.xml', 'blue'],
    ['zh/thunder-prefixed-bilingual.xml', 'orange'],
    ['zh/forest-fire-orange-gb18030.xml', 'orange'],
  ])('accepts %s as %s, area stored from polygons, circles and geocodes', async (name, colour) => {
    const res = await ingest(name, { status: 202, outcome: 'created' });
    const [w] = await api.ds.query<
      Array<{ colour: string; area_codes: string[]; has_geom: boolean; headline: string }>
    >(`SELECT colour, area_codes, area_geom IS NOT NULL AS has_geom, headline FROM warnings WHERE id = $1`, [res.id]);
    expect(w.colour).toBe(colour);
    expect(w.has_geom || w.area_codes.length > 0).toBe(true);
  });

  it('stores the GB18030 message decoded (Chinese text readable) and the blue one with all its division codes', async () => {
    const rows = await api.ds.query<Array<{ identifier: string; headline: string; area_codes: string[] }>>(
      `SELECT identifier, headline, area_codes FROM warnings WHERE hazard_type IN ('forest_fire', 'rainstorm') AND colour IN ('orange', 'blue')`,
    );
    expect(rows.map((r) => r.headline)).toContain('铜梁区发布森林火险橙色预警信号');
    expect(rows.find((r) => r.area_codes.length === 3)?.area_codes.sort()).toEqual([
      '500230',
      '500230107',
      '500230107203',
    ]);
  });

  it('marks an Exercise as a drill: 【演练】 in what people read, and out of the real statistics', async () => {
    const drill = await ingest('zh/geo-hazard-exercise.xml', { status: 202, outcome: 'created' });
    expect(drill.drill).toBe(true);
    const detail = await api.app.get(WarningQueryService).detail(drill.id, '500000');
    expect(detail.isDrill).toBe(true);
    expect(detail.title).toMatch(/^【演练】/);
    const inStats = await api.ds.query<unknown[]>(`SELECT id FROM ${REAL_WARNINGS_VIEW} WHERE id = $1`, [drill.id]);
    expect(inStats).toEqual([]);
    const [{ real, all }] = await api.ds.query<Array<{ real: number; all: number }>>(
      `SELECT (SELECT count(*)::int FROM ${REAL_WARNINGS_VIEW}) AS real, (SELECT count(*)::int FROM warnings) AS all`,
    );
    expect(real).toBe(all - 1);
  });

  it('answers a repeat with 200 and the same id, as XML or as the same content in JSON', async () => {
    const body = fixture('zh/rainstorm-red-shizhi.xml');
    clock.set(new Date(sentOf(body).getTime() + 3_600_000));
    const first = await api.ds.query<Array<{ id: string }>>(
      `SELECT id FROM warnings WHERE identifier = '50023041600000_20240711015200_0'`,
    );
    const before = await rowCounts(api.ds);
    const again = await post(body).expect(200);
    expect(answer(again)).toMatchObject({ id: first[0].id, outcome: 'duplicate' });
    const json = await post(fixture('zh/rainstorm-red-shizhi.json').toString('utf8'), 'application/json').expect(200);
    expect(answer(json)).toMatchObject({ id: first[0].id, outcome: 'duplicate' });
    expect(await rowCounts(api.ds)).toEqual(before);
  });

  it('refuses the bad input the issue names with 4xx naming the field, storing nothing', async () => {
    clock.set(new Date());
    const base = capXml({
      identifier: 'BAD-1',
      polygon: '29.90,107.80 29.95,107.90 29.90,107.90 29.95,107.80 29.90,107.80',
    });
    const cases: Array<[string, string, number, string]> = [
      ['self-intersecting polygon', base, 400, 'info.area.polygon[0]'],
      ['empty references', capXml({ identifier: 'BAD-2', msgType: 'Update', references: ' ' }), 400, 'references'],
      [
        'empty urgency',
        capXml({ identifier: 'BAD-3' }).replace('<urgency>Immediate</urgency>', '<urgency></urgency>'),
        400,
        'info[0].urgency',
      ],
      ['wrong namespace', capXml({ identifier: 'BAD-4' }).replace('cap:1.2', 'cap:9.9'), 400, 'xmlns'],
      [
        'unknown division code form',
        capXml({ identifier: 'BAD-5', geocode: '5002' }),
        400,
        'info[0].area[0].geocode[0].value',
      ],
      ['absurd timestamp', capXml({ identifier: 'BAD-6', sent: '2999-01-01T00:00:00+08:00' }), 400, 'sent'],
      ['truncated XML', capXml({ identifier: 'BAD-7' }).slice(0, 300), 400, 'xml'],
    ];
    const before = await rowCounts(api.ds);
    for (const [what, body, status, field] of cases) {
      const res = await post(body);
      expect({ what, status: res.status, field: answer(res).details?.field }).toEqual({ what, status, field });
      expect(typeof answer(res).message).toBe('string');
    }
    const badJson = await post('{"identifier": ', 'application/json').expect(400);
    expect(answer(badJson).message).toMatch(/JSON/);
    await post('<alert/>', 'text/plain').expect(415);
    await post('', 'application/cap+xml').expect(400);
    expect(await rowCounts(api.ds)).toEqual(before);
  });

  it('refuses an oversize body with 413 and a clear message, storing nothing', async () => {
    const before = await rowCounts(api.ds);
    const huge = capXml({ identifier: 'HUGE-1' }).replace('<description>', `<description>${'暴雨'.repeat(300_000)}`);
    const res = await post(huge).expect(413);
    expect(answer(res).message).toMatch(/larger than the 1048576 bytes accepted.*请求体超过/);
    expect(await rowCounts(api.ds)).toEqual(before);
  });

  it('asks for a key, and a role that may ingest', async () => {
    await request(api.server)
      .post('/api/v1/alerts')
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier: 'K-1' }))
      .expect(401);
    const commander = await issueKey(api.ds, 'cmd', 'commander', '500230');
    await request(api.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${commander}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier: 'K-2' }))
      .expect(403);
  });
});
