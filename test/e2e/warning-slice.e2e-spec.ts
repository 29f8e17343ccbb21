import request from 'supertest';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { issueApiKey as issueKey, resetDatabase } from '@app/testing';
import { capXml } from '../support/cap-builder';
import { ackTokenFrom, Pipeline, startPipeline } from '../support/pipeline';

const SHIZHI = '500230107';

/** The first slice: CAP red rainstorm over 十直镇 → PostGIS match → email with signed link → ack; silence → 包干 superior. */
describe('a red rainstorm warning called and answered end to end', () => {
  let p: Pipeline;
  let ingestKey: string;
  let dutyKey: string;
  let tongliangKey: string;

  beforeAll(async () => {
    // red: 10 min deadline × 0.05 = 30 s, so the test answers in time even on a busy machine (12 s was missed at a
    // load average of 18) and still watches silence escalate.
    p = await startPipeline({ TIMER_SCALE: '0.05' });
    await resetDatabase(p.ds);
    await seedDemo(p.ds);
    ingestKey = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    dutyKey = await issueKey(p.ds, 'duty', 'duty_officer', '500230');
    tongliangKey = await issueKey(p.ds, 'tongliang', 'commander', '500151');
  });

  afterAll(async () => {
    await p.stop();
  });

  it('runs the whole path', async () => {
    const [town] = await p.ds.query<Array<{ x0: number; y0: number; x1: number; y1: number }>>(
      `SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1 FROM admin_units WHERE code = $1`,
      [SHIZHI],
    );
    const polygon = `${town.y0},${town.x0} ${town.y0},${town.x1} ${town.y1},${town.x1} ${town.y1},${town.x0} ${town.y0},${town.x0}`;

    const posted = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier: 'FD-20240711-0152-RED', polygon }))
      .expect(202);
    const warningId = (posted.body as { id: string }).id;
    expect(warningId).toMatch(/^[0-9a-f-]{36}$/);

    // Matched with PostGIS: every flash-flood zone of 十直镇 is in, and people are called.
    const matched = await waitFor(
      async () => {
        const rows = await p.ds.query<
          Array<{
            data: { zones: string[]; recipients: number };
          }>
        >(`SELECT data FROM events WHERE warning_id = $1 AND type = 'WarningMatched'`, [warningId]);
        return rows[0]?.data;
      },
      { what: 'warning matched' },
    );
    const shizhiZones = await p.ds.query<Array<{ code: string }>>(
      `SELECT code FROM risk_zones WHERE admin_unit_code LIKE $1 || '%' AND kind = 'flash_flood_danger_zone'`,
      [SHIZHI],
    );
    expect(shizhiZones.length).toBeGreaterThan(0);
    expect(matched.zones).toEqual(expect.arrayContaining(shizhiZones.map((z) => z.code)));
    expect(matched.recipients).toBeGreaterThan(5);

    // The village director of a matched zone: admin of the zone.
    const [director] = await p.ds.query<Array<{ task_id: string; address: string }>>(
      `SELECT t.id AS task_id, c.address FROM call_tasks t
       JOIN responsibility_assignments a ON a.person_id = t.person_id AND a.target_type = 'zone' AND a.role_slot = 'admin'
       JOIN risk_zones z ON z.id::text = a.target_id AND z.admin_unit_code LIKE $2 || '%'
       JOIN contact_methods c ON c.person_id = t.person_id AND c.channel = 'email' AND c.invalid_at IS NULL
       WHERE t.warning_id = $1 LIMIT 1`,
      [warningId, SHIZHI],
    );
    const mail = await waitFor(() => p.mail.list({ to: director.address })[0], {
      timeoutMs: 25_000,
      what: 'email to the village director',
    });
    expect(mail.subject).toContain('红色预警');
    const token = ackTokenFrom(mail.text);

    // Opening the link shows the warning but is not an answer.
    const page = await request(p.server).get(`/ack/${token}`).expect(200);
    expect(page.text).toContain('丰都县气象台发布暴雨红色预警信号');
    expect(page.text).toContain('已收到');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const [opened] = await p.ds.query<Array<{ state: string }>>(`SELECT state FROM call_tasks WHERE id = $1`, [
      director.task_id,
    ]);
    expect(opened.state).not.toBe('acknowledged');

    // Pressing 已收到 records the answer; pressing it again changes nothing; 已到岗 after it is progress, not a new answer.
    // Redirect-after-post: each press answers 303 back to the page, which shows the answer as recorded.
    const done = await request(p.server).post(`/ack/${token}`).type('form').send({ response: 'received' }).expect(303);
    expect(done.headers.location).toBe(`/ack/${token}?r=recorded`);
    expect((await request(p.server).get(done.headers.location).expect(200)).text).toContain('确认成功');
    const again = await request(p.server).post(`/ack/${token}`).type('form').send({ response: 'received' }).expect(303);
    const shown = await request(p.server).get(again.headers.location).expect(200);
    expect(shown.text).toContain('此前已确认');
    expect(shown.text).toContain('确认：已收到');
    const progress = await request(p.server)
      .post(`/ack/${token}`)
      .type('form')
      .send({ response: 'on_post' })
      .expect(303);
    expect((await request(p.server).get(progress.headers.location).expect(200)).text).toContain('进展已记录');
    const acks = await p.ds.query<
      Array<{
        response: string;
        late: boolean;
      }>
    >(`SELECT response, late FROM acknowledgements WHERE call_task_id = $1`, [director.task_id]);
    expect(acks).toEqual([{ response: 'received', late: false }]);

    // A grid worker who stays silent is escalated to the 包干 leader of their village by the delayed deadline job.
    const [silent] = await p.ds.query<Array<{ task_id: string; leader_person_id: string }>>(
      `SELECT t.id AS task_id, c.leader_person_id FROM call_tasks t
       JOIN responsibility_assignments a ON a.person_id = t.person_id AND a.role_slot = 'grid_worker' AND a.target_type = 'unit'
       JOIN persons pe ON pe.id = t.person_id
       JOIN contracting_assignments c ON c.admin_unit_code = pe.admin_unit_code AND c.level = 'town_village'
       WHERE t.warning_id = $1 AND t.tier = 0 AND t.id <> $2 LIMIT 1`,
      [warningId, director.task_id],
    );
    expect(silent).toBeDefined();
    const escalatedTo = await waitFor(
      async () => {
        const rows = await p.ds.query<Array<{ person_id: string }>>(
          `SELECT t.person_id FROM escalations e JOIN call_tasks t ON t.id = e.to_task_id WHERE e.from_task_id = $1`,
          [silent.task_id],
        );
        return rows.length > 0 ? rows.map((r) => r.person_id) : null;
      },
      { timeoutMs: 60_000, what: 'escalation of the silent grid worker' },
    );
    expect(escalatedTo).toContain(silent.leader_person_id);
    const fromDirector = await p.ds.query<unknown[]>(`SELECT 1 FROM escalations WHERE from_task_id = $1`, [
      director.task_id,
    ]);
    expect(fromDirector).toHaveLength(0);

    // The duty officer's view: each call task's state and the timeline.
    const view = await request(p.server)
      .get(`/api/v1/warnings/${warningId}`)
      .set('Authorization', `Bearer ${dutyKey}`)
      .expect(200);
    const body = view.body as {
      callTasks: Array<{ id: string; state: string; mobile: string | null }>;
      timeline: Array<{ type: string }>;
    };
    expect(body.callTasks.find((t) => t.id === director.task_id)?.state).toBe('acknowledged');
    expect(body.callTasks.find((t) => t.id === silent.task_id)?.state).toBe('escalated');
    expect(body.callTasks.every((t) => t.mobile === null || /^\*+\d{4}$/.test(t.mobile))).toBe(true);
    const types = body.timeline.map((e) => e.type);
    for (const type of [
      'WarningReceived',
      'WarningMatched',
      'CallIssued',
      'MessageSent',
      'AckLinkOpened',
      'CallAcknowledged',
      'CallEscalated',
    ]) {
      expect(types).toContain(type);
    }

    // Region and role are checked on every console route.
    await request(p.server)
      .get(`/api/v1/warnings/${warningId}`)
      .set('Authorization', `Bearer ${tongliangKey}`)
      .expect(404);
    await request(p.server)
      .get(`/api/v1/warnings/${warningId}`)
      .set('Authorization', `Bearer ${ingestKey}`)
      .expect(403);
    await request(p.server).get(`/api/v1/warnings/${warningId}`).expect(401);
  });

  it('answers the same message again with 200 and the same id, starting nothing new', async () => {
    const xml = capXml({ identifier: 'FD-DUP-1', sent: '2026-11-22T08:00:00+08:00', geocode: SHIZHI });
    const first = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/xml')
      .send(xml)
      .expect(202);
    const second = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/xml')
      .send(xml)
      .expect(200);
    expect((second.body as { id: string; outcome: string }).id).toBe((first.body as { id: string }).id);
    expect((second.body as { outcome: string }).outcome).toBe('duplicate');
    const [count] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM warnings WHERE identifier = 'FD-DUP-1'`,
    );
    expect(count.n).toBe(1);
  });

  it('refuses forged and altered links with a page and a 4xx, writing nothing', async () => {
    const before = await p.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM acknowledgements`);
    const forged = await request(p.server)
      .get('/ack/eyJzdWIiOiJ4In0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
      .expect(404);
    expect(forged.text).toContain('链接无效');
    await request(p.server).post('/ack/not-a-token').type('form').send({ response: 'received' }).expect(404);
    const after = await p.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM acknowledgements`);
    expect(after[0].n).toBe(before[0].n);
  });
});
