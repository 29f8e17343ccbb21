import request from 'supertest';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { resetDatabase } from '@app/testing';
import { answer, capTime, issueKey } from './ingest-helpers';
import { capXml } from '../support/cap-builder';
import { Pipeline, startPipeline } from '../support/pipeline';

const SHIZHI = '500230107';

/** Duty-officer warnings and the rest of the ingest chain, on the whole pipeline over the demo district. */
describe('duty-officer warnings and ingest on the whole pipeline', () => {
  let p: Pipeline;
  let officerA: string;
  let officerB: string;
  let tongliangOfficer: string;
  let ingestKey: string;
  let tongliangTown: string;

  beforeAll(async () => {
    p = await startPipeline({ OFFICER_TWO_PERSON_RULE: 'red,public' });
    await resetDatabase(p.ds);
    await seedDemo(p.ds);
    officerA = await issueKey(p.ds, 'duty-a', 'duty_officer', '500230');
    officerB = await issueKey(p.ds, 'duty-b', 'duty_officer', '500230');
    tongliangOfficer = await issueKey(p.ds, 'duty-tl', 'duty_officer', '500151');
    ingestKey = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    [{ code: tongliangTown }] = await p.ds.query<Array<{ code: string }>>(
      `SELECT code FROM admin_units WHERE code LIKE '500151%' AND level = 'town' ORDER BY code LIMIT 1`,
    );
  });

  afterAll(async () => {
    await p.stop();
  });

  const as = (key: string) => ({
    post: (path: string, body: object = {}) =>
      request(p.server).post(`/api/v1/officer-warnings${path}`).set('Authorization', `Bearer ${key}`).send(body),
  });
  const expires = () => capTime(new Date(Date.now() + 6 * 3_600_000));
  const eventsOf = (draftId: string) =>
    p.ds.query<Array<{ type: string; actor: string }>>(
      `SELECT type, actor FROM events WHERE data->>'draftId' = $1 ORDER BY id`,
      [draftId],
    );

  it('refuses an area outside the officer’s region (500230 cannot issue over 500151), naming the field', async () => {
    const res = await as(officerA)
      .post('', { hazardType: 'rainstorm', colour: 'orange', headline: '越界预警', areaCodes: [SHIZHI, tongliangTown] })
      .expect(403);
    expect(answer(res).details).toMatchObject({ field: 'areaCodes[1]' });
    expect(answer(res).message).toMatch(/outside your region 500230/);
    const missing = await as(officerA)
      .post('', { colour: 'orange', headline: 'x', areaCodes: [SHIZHI] })
      .expect(400);
    expect(answer(missing).details).toMatchObject({ field: 'hazardType' });
    const unknown = await as(officerA)
      .post('', { hazardType: 'rainstorm', colour: 'orange', headline: 'x', areaCodes: ['500230999'] })
      .expect(400);
    expect(answer(unknown).details).toMatchObject({ field: 'areaCodes[0]' });
  });

  it('drafts, previews who would be called, issues through the ingest path, and upgrades with a second officer’s approval', async () => {
    const draft = await as(officerA)
      .post('', {
        hazardType: 'rainstorm',
        colour: 'orange',
        headline: '丰都县值班室发布十直镇暴雨橙色预警',
        instruction: '立即组织山洪危险区人员转移。',
        areaCodes: [SHIZHI],
        expires: expires(),
      })
      .expect(201);
    expect(answer(draft)).toMatchObject({
      state: 'draft',
      approvalsRequired: 0,
      ready: true,
      createdBy: 'duty-a',
      content: { event: '暴雨橙色预警', scope: 'Restricted' },
    });
    const id = answer(draft).id;

    const preview = await as(officerA).post(`/${id}/preview`).expect(200);
    expect(answer(preview).preview.counts.total).toBeGreaterThan(0);
    expect(answer(preview).preview.counts.byTown).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: SHIZHI })]),
    );
    await as(tongliangOfficer).post(`/${id}/preview`).expect(404); // not in their region

    const issued = await as(officerA).post(`/${id}/issue`).expect(202);
    expect(answer(issued)).toMatchObject({ outcome: 'created', version: 1, draftId: id, alreadyIssued: false });
    const [w] = await p.ds.query<Array<{ source: string; colour: string; area_codes: string[]; msg_type: string }>>(
      `SELECT source, colour, area_codes, msg_type FROM warnings WHERE id = $1`,
      [answer(issued).id],
    );
    expect(w).toEqual({ source: 'officer', colour: 'orange', area_codes: [SHIZHI], msg_type: 'alert' });
    await waitFor(
      async () =>
        (
          await p.ds.query<unknown[]>(`SELECT 1 FROM events WHERE warning_id = $1 AND type = 'WarningMatched'`, [
            answer(issued).id,
          ])
        ).length > 0,
      { what: 'the officer warning matched like any CAP warning' },
    );
    const again = await as(officerA).post(`/${id}/issue`).expect(200);
    expect(answer(again)).toMatchObject({ id: answer(issued).id, alreadyIssued: true });

    // Upgrade to red: an update draft on the issued warning; red needs a second, different officer.
    const up = await as(officerA)
      .post('', { updates: answer(issued).id, colour: 'red', headline: '十直镇暴雨预警升级为红色' })
      .expect(201);
    expect(answer(up)).toMatchObject({
      approvalsRequired: 1,
      ready: false,
      updatesWarningId: answer(issued).id,
      content: { areaCodes: [SHIZHI], hazardType: 'rainstorm' },
    });
    const early = await as(officerA)
      .post(`/${answer(up).id}/issue`)
      .expect(409);
    expect(answer(early).message).toMatch(/approval of a second duty officer/);
    const self = await as(officerA)
      .post(`/${answer(up).id}/approve`)
      .expect(403);
    expect(answer(self).message).toMatch(/second, different duty officer/);
    await as(officerB)
      .post(`/${answer(up).id}/approve`)
      .expect(200);
    const upgraded = await as(officerB)
      .post(`/${answer(up).id}/issue`)
      .expect(202);
    expect(answer(upgraded)).toMatchObject({ outcome: 'updated', version: 2, chainId: answer(issued).chainId });

    // A superseded version cannot be updated again; the newest one can.
    await as(officerA)
      .post('', { updates: answer(issued).id, colour: 'yellow' })
      .expect(409);
    // A downgrade that gives no headline keeps the old one in the new colour: never "…红色" on an orange warning.
    const down = await as(officerA)
      .post('', { updates: answer(upgraded).id, colour: 'orange' })
      .expect(201);
    expect(answer(down)).toMatchObject({
      content: { colour: 'orange', event: '暴雨橙色预警', headline: '十直镇暴雨预警升级为橙色' },
    });

    expect(await eventsOf(id)).toEqual([
      { type: 'WarningDrafted', actor: 'api-key:duty-a' },
      { type: 'WarningDraftPreviewed', actor: 'api-key:duty-a' },
      { type: 'WarningIssued', actor: 'api-key:duty-a' },
    ]);
    expect(await eventsOf(answer(up).id)).toEqual([
      { type: 'WarningDrafted', actor: 'api-key:duty-a' },
      { type: 'WarningDraftApproved', actor: 'api-key:duty-b' },
      { type: 'WarningIssued', actor: 'api-key:duty-b' },
    ]);
    // A draft, a preview, an issue and an upgrade, each matched: 51 s and over 60 s beside another suite, so 3 min.
  }, 180_000);

  it('edits clear approvals; a drill is issued as an Exercise, runs the chain, reads 【演练】 and stays out of statistics', async () => {
    const draft = await as(officerA)
      .post('', {
        hazardType: 'geo_hazard',
        colour: 'yellow',
        headline: '十直镇地质灾害转移演练',
        areaCodes: [SHIZHI],
        drill: true,
        scope: 'Public',
        expires: expires(),
      })
      .expect(201);
    expect(answer(draft).approvalsRequired).toBe(1); // public
    await as(officerB)
      .post(`/${answer(draft).id}/approve`)
      .expect(200);
    const edited = await request(p.server)
      .patch(`/api/v1/officer-warnings/${answer(draft).id}`)
      .set('Authorization', `Bearer ${officerA}`)
      .send({ instruction: '按演练方案组织转移。' })
      .expect(200);
    expect(answer(edited)).toMatchObject({ approvals: [], ready: false });
    await as(officerB)
      .post(`/${answer(draft).id}/approve`)
      .expect(200);
    const issued = await as(officerA)
      .post(`/${answer(draft).id}/issue`)
      .expect(202);
    expect(answer(issued).drill).toBe(true);
    const detail = await request(p.server)
      .get(`/api/v1/warnings/${answer(issued).id}`)
      .set('Authorization', `Bearer ${officerA}`)
      .expect(200);
    expect(answer(detail)).toMatchObject({
      status: 'exercise',
      isDrill: true,
      title: '【演练】十直镇地质灾害转移演练',
    });
    await waitFor(
      async () =>
        (await p.ds.query<unknown[]>(`SELECT 1 FROM call_tasks WHERE warning_id = $1`, [answer(issued).id])).length > 0,
      { what: 'the drill runs the whole chain: people are called' },
    );
    expect(await p.ds.query(`SELECT count(*)::int AS n FROM real_warnings WHERE id = $1`, [answer(issued).id])).toEqual(
      [{ n: 0 }],
    );
  });

  it('accepts an alert outside every known unit, records it, and calls nobody', async () => {
    const res = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/cap+xml')
      .send(
        capXml({
          identifier: 'BJ-OUTSIDE-1',
          sender: 'bj@alerts.example.cn',
          areaDesc: '北京市',
          polygon: '39.8,116.3 39.8,116.5 40.0,116.5 40.0,116.3 39.8,116.3',
          expires: expires(),
        }),
      )
      .expect(202);
    const matched = await waitFor(
      async () =>
        (
          await p.ds.query<Array<{ data: { recipients: number } }>>(
            `SELECT data FROM events WHERE warning_id = $1 AND type = 'WarningMatched'`,
            [answer(res).id],
          )
        )[0],
      { what: 'matched' },
    );
    expect(matched.data.recipients).toBe(0);
    expect(
      await p.ds.query(`SELECT count(*)::int AS n FROM call_tasks WHERE warning_id = $1`, [answer(res).id]),
    ).toEqual([{ n: 0 }]);
  });

  it('records a Cancel of an unknown warning without action, and says so', async () => {
    const res = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/cap+xml')
      .send(
        capXml({
          identifier: 'CANCEL-UNKNOWN-1',
          msgType: 'Cancel',
          references: `fengdu-qxt@cma.gov.cn,NEVER-SEEN,${capTime(new Date(Date.now() - 3_600_000))}`,
        }),
      )
      .expect(202);
    expect(answer(res).outcome).toBe('cancel_of_unknown_recorded');
  });
});
