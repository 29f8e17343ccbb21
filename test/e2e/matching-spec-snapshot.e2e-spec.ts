import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import { MatchWarningService } from '@app/matching';
import type { ResponseSpecs } from '@app/config';
import { resetDatabase } from '@app/testing';
import { capXml } from '../support/cap-builder';
import { ApiApp, issueKey, startApi } from '../support/matching-app';

const SHIZHI = '500230107';

/** Response specs live in PostgreSQL, versioned; each dispatch keeps the version it ran under. */
describe('response specs: versions and the snapshot in each dispatch (e2e)', () => {
  let api: ApiApp;
  let demo: DemoSummary;
  let admin: string;
  let countyAdmin: string;
  let duty: string;
  let ingest: string;

  beforeAll(async () => {
    api = await startApi();
    await resetDatabase(api.ds);
    demo = await seedDemo(api.ds);
    admin = await issueKey(api.ds, 'city-admin', 'admin', '500000');
    countyAdmin = await issueKey(api.ds, 'fengdu-admin', 'admin', '500230');
    duty = await issueKey(api.ds, 'fengdu-duty', 'duty_officer', '500230');
    ingest = await issueKey(api.ds, 'ingest', 'ingest', '500000');
  });

  afterAll(async () => {
    await api.stop();
  });

  async function matchedWarning(identifier: string): Promise<string> {
    const posted = await request(api.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingest}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier, geocode: SHIZHI }))
      .expect(202);
    const id = (posted.body as { id: string }).id;
    await expect(api.app.get(MatchWarningService).match(id)).resolves.toBe('done');
    return id;
  }

  const dispatchOf = async (warningId: string) =>
    (
      await api.ds.query<Array<{ spec: { specVersion: number; ackDeadlineMin: number; tiers: unknown[] } }>>(
        `SELECT spec FROM dispatches WHERE warning_id = $1`,
        [warningId],
      )
    )[0].spec;
  const deadlines = (warningId: string) =>
    api.ds.query<Array<{ id: string; deadline_at: Date }>>(
      `SELECT id, deadline_at FROM call_tasks WHERE warning_id = $1 ORDER BY id`,
      [warningId],
    );

  it('loads the file defaults as version 1, then an edit runs only for warnings matched after it', async () => {
    const first = await matchedWarning('SNAPSHOT-1');
    expect(await dispatchOf(first)).toMatchObject({ specVersion: 1, ackDeadlineMin: 10 });
    const tasksBefore = await deadlines(first);
    expect(tasksBefore.length).toBeGreaterThan(5);

    const current = (
      await request(api.server).get('/api/v1/response-specs').set('Authorization', `Bearer ${duty}`).expect(200)
    ).body as ResponseSpecs;
    expect(current.version).toBe(1);
    current.levels.red.tiers[0].ackDeadlineMin = 30;
    const saved = await request(api.server)
      .put('/api/v1/response-specs')
      .set('Authorization', `Bearer ${admin}`)
      .send(current)
      .expect(200);
    expect(saved.body).toMatchObject({ version: 2, createdBy: 'city-admin' });

    // The running warning is untouched: same frozen spec, same deadlines.
    expect(await dispatchOf(first)).toMatchObject({ specVersion: 1, ackDeadlineMin: 10 });
    expect(await deadlines(first)).toEqual(tasksBefore);

    const second = await matchedWarning('SNAPSHOT-2');
    expect(await dispatchOf(second)).toMatchObject({ specVersion: 2, ackDeadlineMin: 30 });
    const versions = (
      await request(api.server)
        .get('/api/v1/response-specs/versions')
        .set('Authorization', `Bearer ${duty}`)
        .expect(200)
    ).body as Array<{ version: number; createdBy: string }>;
    expect(versions.map((v) => [v.version, v.createdBy])).toEqual([
      [2, 'city-admin'],
      [1, 'config'],
    ]);
    const v1 = (
      await request(api.server)
        .get('/api/v1/response-specs/versions/1')
        .set('Authorization', `Bearer ${duty}`)
        .expect(200)
    ).body as ResponseSpecs;
    expect(v1.levels.red.tiers[0].ackDeadlineMin).toBe(10);
  });

  it('freezes town overrides and the escalation path with the same role one tier up', async () => {
    const current = (
      await request(api.server).get('/api/v1/response-specs').set('Authorization', `Bearer ${admin}`).expect(200)
    ).body as ResponseSpecs;
    current.overrides = [
      {
        match: { unitCode: SHIZHI, level: 'red' },
        set: { tiers: [{ name: '十直镇方案', ackDeadlineMin: 5, call: current.levels.red.tiers[0].call }] },
      },
    ];
    await request(api.server)
      .put('/api/v1/response-specs')
      .set('Authorization', `Bearer ${admin}`)
      .send(current)
      .expect(200);
    const id = await matchedWarning('SNAPSHOT-3');
    expect(await dispatchOf(id)).toMatchObject({ specVersion: 3, ackDeadlineMin: 5, overridesApplied: [0] });
    const [task] = await api.ds.query<Array<{ escalation_path: string[][] }>>(
      `SELECT escalation_path FROM call_tasks WHERE warning_id = $1 AND person_id = $2`,
      [id, demo.shizhi.villageDirectorId],
    );
    expect(task.escalation_path[1]).toContain(demo.shizhi.mayorId);
  });

  it('refuses an invalid spec with every problem named, and edits by anyone but a city-wide admin', async () => {
    const current = (
      await request(api.server).get('/api/v1/response-specs').set('Authorization', `Bearer ${admin}`).expect(200)
    ).body as ResponseSpecs;
    const broken = {
      ...current,
      escalation: { steps: [['backup', 'the_mayor']] },
      levels: { ...current.levels, blue: { ...current.levels.blue, tiers: [] } },
    };
    const res = await request(api.server)
      .put('/api/v1/response-specs')
      .set('Authorization', `Bearer ${admin}`)
      .send(broken)
      .expect(400);
    expect((res.body as { details: { problems: string[] } }).details.problems).toEqual([
      'levels.blue.tiers needs at least one tier (tier 0 = who is called at once)',
      'escalation.steps must be a list of steps, each a list of backup, contracting_superior, same_role_up, duty_officer, commander',
    ]);
    await request(api.server)
      .put('/api/v1/response-specs')
      .set('Authorization', `Bearer ${duty}`)
      .send(current)
      .expect(403);
    await request(api.server)
      .put('/api/v1/response-specs')
      .set('Authorization', `Bearer ${countyAdmin}`)
      .send(current)
      .expect(403);
    const [{ n }] = await api.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM response_specs`);
    expect(n).toBe(3);
  });
});
