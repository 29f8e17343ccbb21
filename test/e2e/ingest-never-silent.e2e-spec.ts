import * as fs from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import type { Simulators } from '@app/simulators';
import { capXml } from '../support/cap-builder';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { rowCounts } from './ingest-helpers';
import { issueKey, resetQuietly } from './response-support';

const ZH = join(__dirname, '../fixtures/cap/zh');
const fixture = (name: string) => fs.readFileSync(join(ZH, name));
const SECRET = 'e2e-never-silent-secret-0123456789';

interface Body {
  id: string;
  outcome: string;
  message: string;
  error: string;
  warnings: Array<{ code: string; field?: string; message: string }>;
  details: {
    field?: string;
    problem?: string;
    issues?: Array<{ field: string; problem: string; hint?: string; suggestion?: string }>;
  };
}

/**
 * A warning is never lost silently: misspelt JSON fields are refused with the nearest known name, empty optional
 * CAP elements of real feeds are accepted with a note, and a warning that matches nobody is flagged 无匹配对象,
 * told to the duty desk by SMS and email, shown on the board until someone dismisses it.
 */
describe('ingest that never loses a warning silently', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let ingestKey: string;
  let officerKey: string;
  let commanderKey: string;

  const post = (body: Buffer | string | object, type = 'application/cap+xml') =>
    request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', type)
      .send(body);
  const body = (res: { body: unknown }) => res.body as Body;

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: SECRET,
      env: { TIMER_SCALE: '1', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetQuietly(ds);
    await seedDemo(ds);
    ingestKey = await issueKey(ds, 'silent-ingest', 'ingest', '500000');
    officerKey = await issueKey(ds, 'silent-officer', 'duty_officer', '500230');
    commanderKey = await issueKey(ds, 'silent-commander', 'commander', '500230');
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  describe('unknown fields in JSON bodies are a 400 naming the nearest known field', () => {
    it('refuses a CAP JSON alert with "geocodes", suggesting "geocode" in Chinese and English, storing nothing', async () => {
      const before = await rowCounts(ds);
      const res = await post(
        fixture('rainstorm-red-misspelt-geocodes.json').toString('utf8'),
        'application/json',
      ).expect(400);
      expect(body(res)).toMatchObject({
        error: 'validation_failed',
        details: { field: 'info[0].area[0].geocodes', problem: 'unknown field "geocodes"; did you mean "geocode"?' },
      });
      expect(body(res).message).toContain('您是否想填写 "geocode"');
      expect(await rowCounts(ds)).toEqual(before);
    });

    it('names each unknown key at every level of a CAP JSON alert', async () => {
      const alert = JSON.parse(fixture('rainstorm-red-misspelt-geocodes.json').toString('utf8')) as Record<
        string,
        unknown
      > & { info: Record<string, unknown> };
      const res = await post(
        { ...alert, identifer: 'X', info: { ...alert.info, severty: 'Extreme' } },
        'application/json',
      ).expect(400);
      const issues = body(res).details.issues ?? [];
      expect(issues.map((i) => [i.field, i.problem])).toEqual(
        expect.arrayContaining([
          ['identifer', 'unknown field "identifer"; did you mean "identifier"?'],
          ['info[0].severty', 'unknown field "severty"; did you mean "severity"?'],
          ['info[0].area[0].geocodes', 'unknown field "geocodes"; did you mean "geocode"?'],
        ]),
      );
    });

    it('refuses unknown fields of officer warnings, readings and previews the same way', async () => {
      const draft = await request(p.server)
        .post('/api/v1/officer-warnings')
        .set('Authorization', `Bearer ${officerKey}`)
        .send({ hazardType: 'rainstorm', colour: 'red', headline: '暴雨红色预警', areaCode: ['500230107'] })
        .expect(400);
      expect(body(draft)).toMatchObject({
        error: 'validation_failed',
        details: { field: 'areaCode', problem: 'unknown field "areaCode"; did you mean "areaCodes"?' },
      });
      expect(body(draft).message).toContain('您是否想填写 "areaCodes"');

      const reading = await request(p.server)
        .post('/api/v1/readings')
        .set('Authorization', `Bearer ${ingestKey}`)
        .send({ station: 'ST-1', at: '2024-07-14T08:00:00+08:00', waterlevel: 3.2 })
        .expect(400);
      expect(body(reading).details).toMatchObject({
        field: 'waterlevel',
        problem: 'unknown field "waterlevel"; did you mean "waterLevel"?',
      });

      const preview = await request(p.server)
        .post('/api/v1/warnings/preview')
        .set('Authorization', `Bearer ${officerKey}`)
        .send({ hazardType: 'rainstorm', level: 1, area: { code: ['500230107'] } })
        .expect(400);
      expect(body(preview).details).toMatchObject({
        field: 'area.code',
        problem: 'unknown field "code"; did you mean "codes"?',
      });
    });

    it('lists the known fields when nothing is close', async () => {
      const res = await request(p.server)
        .post('/api/v1/readings')
        .set('Authorization', `Bearer ${ingestKey}`)
        .send({ station: 'ST-1', at: '2024-07-14T08:00:00+08:00', colour: 'red' })
        .expect(400);
      expect(body(res).details.problem).toMatch(/^unknown field "colour"; known fields here: .*waterLevel/);
      expect(body(res).message).toMatch(/未知字段 "colour"，此处可填写：/);
    });
  });

  describe('real-feed leniency', () => {
    it('accepts an empty <references/> and an empty <polygon/> beside a geocode, noting what was ignored', async () => {
      const res = await post(fixture('rainstorm-orange-empty-optional.xml')).expect(202);
      expect(body(res).outcome).toBe('created');
      expect(body(res).warnings.map((w) => [w.code, w.field])).toEqual([
        ['ignored_empty_element', 'references'],
        ['ignored_empty_element', 'info[0].area[0].polygon[0]'],
      ]);
      const [w] = await ds.query<Array<{ ingest_notes: Array<{ field: string; note: string }>; area_codes: string[] }>>(
        `SELECT ingest_notes, area_codes FROM warnings WHERE id = $1`,
        [body(res).id],
      );
      expect(w.area_codes).toEqual(['500230107']);
      expect(w.ingest_notes.map((n) => n.note)).toEqual([
        expect.stringContaining('空的 references 元素已忽略'),
        expect.stringContaining('空的 polygon 元素已忽略'),
      ]);
      const detail = await request(p.server)
        .get(`/api/v1/warnings/${body(res).id}`)
        .set('Authorization', `Bearer ${officerKey}`)
        .expect(200);
      expect((detail.body as { ingestNotes: unknown[] }).ingestNotes).toHaveLength(2);
    });

    it.each([
      [
        'rainstorm-orange-bad-polygon.xml',
        'info[0].area[0].polygon[0]',
        /"29.90" is not a "lat,lon" pair|at least 4 points/,
      ],
      ['rainstorm-orange-only-empty-polygon.xml', 'info[0].area[0].polygon[0]', /./],
    ])('still refuses %s (%s), storing nothing', async (name, field, problem) => {
      const before = await rowCounts(ds);
      const res = await post(fixture(name)).expect(400);
      expect(body(res).details.field).toBe(field);
      expect(body(res).message).toMatch(problem);
      expect(await rowCounts(ds)).toEqual(before);
    });

    it('still refuses a missing required element, an empty references on an Update and an unknown namespace', async () => {
      const before = await rowCounts(ds);
      const noScope = capXml({ identifier: 'LENIENT-1', geocode: '500230107' }).replace('<scope>Public</scope>', '');
      expect(body(await post(noScope).expect(400)).details.field).toBe('scope');
      const update = capXml({ identifier: 'LENIENT-2', msgType: 'Update', geocode: '500230107' }).replace(
        '<scope>Public</scope>',
        '<scope>Public</scope><references/>',
      );
      expect(body(await post(update).expect(400)).details.field).toBe('references');
      const ns = capXml({ identifier: 'LENIENT-3', geocode: '500230107' }).replace('cap:1.2', 'cap:2.0');
      expect(body(await post(ns).expect(400)).details.field).toBe('xmlns');
      expect(await rowCounts(ds)).toEqual(before);
    });
  });

  describe('无匹配对象', () => {
    let warningId: string;
    let desk: Array<{ person_id: string; phone: string; email: string }>;

    it('says at ingest that an area outside every known unit calls nobody', async () => {
      const res = await post(fixture('rainstorm-red-outside-district.xml')).expect(202);
      warningId = body(res).id;
      expect(body(res).warnings).toEqual([
        { code: 'outside_known_units', message: expect.stringContaining('预警范围不在任何已知行政区内') as string },
      ]);
    });

    it('flags the warning with the reason, as a column and an event', async () => {
      const [w] = await waitFor(
        () =>
          ds
            .query<
              Array<{ unmatched_reason: string; unmatched_detail: string }>
            >(`SELECT unmatched_reason, unmatched_detail FROM warnings WHERE id = $1 AND unmatched_reason IS NOT NULL`, [warningId])
            .then((rows) => rows.length > 0 && rows),
        { what: 'the 无匹配对象 flag', timeoutMs: 20_000 },
      );
      expect(w.unmatched_reason).toBe('outside_units');
      expect(w.unmatched_detail).toMatch(/^预警范围不在任何已知行政区内.*灾种 rainstorm/);
      const events = await ds.query<Array<{ data: { reason: string } }>>(
        `SELECT data FROM events WHERE warning_id = $1 AND type = 'WarningUnmatched'`,
        [warningId],
      );
      expect(events.map((e) => e.data.reason)).toEqual(['outside_units']);
      const calls = await ds.query<unknown[]>(`SELECT 1 FROM call_tasks WHERE warning_id = $1`, [warningId]);
      expect(calls).toEqual([]);
    });

    it('tells every duty officer by SMS and email (no county holds the area)', async () => {
      desk = await ds.query<Array<{ person_id: string; phone: string; email: string }>>(
        `SELECT DISTINCT a.person_id,
                (SELECT address FROM contact_methods WHERE person_id = a.person_id AND channel = 'sms' AND invalid_at IS NULL ORDER BY priority LIMIT 1) AS phone,
                (SELECT address FROM contact_methods WHERE person_id = a.person_id AND channel = 'email' AND invalid_at IS NULL ORDER BY priority LIMIT 1) AS email
         FROM responsibility_assignments a WHERE a.role_slot = 'duty_officer' AND a.target_type = 'unit'`,
      );
      expect(desk.length).toBeGreaterThan(0);
      const rows = await waitFor(
        async () => {
          const r = await ds.query<Array<{ person_id: string; channel: string; status: string }>>(
            `SELECT person_id, channel, status FROM notices WHERE warning_id = $1 AND kind = 'warning_unmatched'`,
            [warningId],
          );
          return r.length > 0 && r.every((n) => !['queued', 'sending'].includes(n.status)) && r;
        },
        { what: 'unmatched notices sent', timeoutMs: 20_000 },
      );
      expect(new Set(rows.map((r) => r.person_id))).toEqual(new Set(desk.map((d) => d.person_id)));
      const withPhone = desk.find((d) => d.phone);
      const withEmail = desk.find((d) => d.email);
      if (withPhone) {
        const sms = await waitFor(
          () => sims.network.messages(withPhone.phone).find((m) => m.text.includes('【无匹配对象】')),
          { what: 'the duty desk SMS' },
        );
        expect(sms.text).toMatch(/^【叫应预警】【无匹配对象】海淀区气象台发布暴雨红色预警信号。/);
      }
      if (withEmail) {
        const mail = await waitFor(
          () => p.mail.list({ to: withEmail.email }).find((m) => m.subject.includes('【无匹配对象】')),
          { what: 'the duty desk email' },
        );
        expect(mail.text).toContain('原因：预警范围不在任何已知行政区内');
      }
      expect(withPhone ?? withEmail).toBeDefined();
    });

    it('shows the flag in the warnings API and the board JSON until dismissed (audited)', async () => {
      const detail = await request(p.server)
        .get(`/api/v1/warnings/${warningId}`)
        .set('Authorization', `Bearer ${officerKey}`)
        .expect(200);
      expect((detail.body as { unmatched: unknown }).unmatched).toMatchObject({
        reason: 'outside_units',
        open: true,
        dismissedBy: null,
      });
      const board = await request(p.server)
        .get('/api/v1/board')
        .set('Authorization', `Bearer ${commanderKey}`)
        .expect(200);
      expect((board.body as { unmatchedWarnings: Array<{ id: string; reason: string }> }).unmatchedWarnings).toEqual([
        expect.objectContaining({ id: warningId, reason: 'outside_units' }),
      ]);

      await request(p.server)
        .post(`/api/v1/warnings/${warningId}/unmatched/dismiss`)
        .set('Authorization', `Bearer ${ingestKey}`)
        .send({})
        .expect(403);
      const dismissed = await request(p.server)
        .post(`/api/v1/warnings/${warningId}/unmatched/dismiss`)
        .set('Authorization', `Bearer ${officerKey}`)
        .send({ note: '非本辖区预警，已转北京市值班室' })
        .expect(200);
      expect(dismissed.body).toMatchObject({
        unmatched: { reason: 'outside_units', dismissedBy: 'api-key:silent-officer' },
      });
      await request(p.server)
        .post(`/api/v1/warnings/${warningId}/unmatched/dismiss`)
        .set('Authorization', `Bearer ${officerKey}`)
        .send({})
        .expect(409);

      const after = await request(p.server)
        .get('/api/v1/board')
        .set('Authorization', `Bearer ${commanderKey}`)
        .expect(200);
      expect((after.body as { unmatchedWarnings: unknown[] }).unmatchedWarnings).toEqual([]);
      const audit = await ds.query<Array<{ actor: string; data: { note: string } }>>(
        `SELECT actor, data FROM events WHERE warning_id = $1 AND type = 'UnmatchedDismissed'`,
        [warningId],
      );
      expect(audit).toEqual([
        {
          actor: 'api-key:silent-officer',
          data: expect.objectContaining({ note: '非本辖区预警，已转北京市值班室' }) as object,
        },
      ]);
    });
  });
});
