import request from 'supertest';
import { waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { AckLinks } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import {
  TaskRow,
  answer,
  capTime,
  issueKey,
  postCap,
  resetQuietly,
  stateOf,
  tasksOf,
  tokenFor,
  waitMatched,
} from './response-support';

/**
 * Scenario S1 (docs/domain.md): red rainstorm over 十直镇. Everyone is called at once; most answer; the 汀溪村 director stays silent,
 * is escalated and is then reached by phone (manual answer, late); the 寨上村 one-to-one caller has a dead number and
 * is escalated at once, and the person sent instead confirms the bedridden resident; evacuation of the zones is
 * reported per shelter; a 熔断 order is acknowledged and executed; the lift notice goes out; closure lists the failures.
 */
describe('S1 red rainstorm over 十直镇', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ingest: string;
  let duty: string;
  let commander: string;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.02', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    expect(demo.counts.shelters).toBeGreaterThan(0);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    duty = await issueKey(p.ds, 'duty', 'duty_officer', '500230');
    commander = await issueKey(p.ds, 'commander', 'commander', '500230');
  });

  afterAll(async () => {
    await p.stop();
  });

  it('calls, answers, escalates, evacuates, orders, lifts and closes', async () => {
    const s = demo.shizhi;
    const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'S1-RED',
      geocode: s.townCode,
      expires: capTime(3600_000),
    });
    await waitMatched(p.ds, warningId);
    const tasks = await tasksOf(p.ds, warningId);
    const t0 = tasks.filter((t) => t.tier === 0);
    // "31-ish": everyone of the town, its villages, zones and objects, the 包干 leaders and the one-to-one callers.
    process.stdout.write(`S1 recipients called at T0: ${t0.length}\n`);
    expect(t0.length).toBeGreaterThanOrEqual(20);
    expect(t0.length).toBeLessThanOrEqual(120);

    const director = t0.find((t) => t.person_id === s.villageDirectorId) as TaskRow;
    const unreachable = t0.filter((t) => t.state === 'unreachable');
    expect(unreachable.length).toBeGreaterThanOrEqual(1);
    const deadCaller = unreachable.find((t) => t.reasons.some((r) => r.kind === 'one_to_one')) as TaskRow;
    expect(deadCaller).toBeDefined();

    // Most answer by their link at once, well inside the red deadline (12 s at this timer scale).
    const answering = t0.filter((t) => t !== director && t.state !== 'unreachable');
    const answered = await Promise.all(answering.map((t) => answer(p, t)));
    expect(answered.map((r) => r.status)).toEqual(answering.map(() => 200));
    expect(answered.filter((r) => (r.body as { late: boolean }).late)).toEqual([]);

    // The demo's residents' phone lists and loudspeakers: 高风险区全员发布 and 应急广播 both go out.
    const issued = await waitFor(
      async () =>
        (
          await p.ds.query<Array<{ data: { smsBatches: number; loudspeakers: number } }>>(
            `SELECT data FROM events WHERE warning_id = $1 AND type = 'PublicWarningIssued'`,
            [warningId],
          )
        )[0]?.data,
      { what: 'public warning planned', timeoutMs: 15_000 },
    );
    expect(issued.smsBatches).toBeGreaterThan(0);
    expect(issued.loudspeakers).toBeGreaterThan(0);

    // The dead-number caller was escalated at once; the person sent instead confirms the resident one to one.
    const sent = await waitFor(
      async () =>
        (
          await p.ds.query<TaskRow[]>(
            `SELECT t.id, t.person_id, t.state FROM escalations e JOIN call_tasks t ON t.id = e.to_task_id WHERE e.from_task_id = $1`,
            [deadCaller.id],
          )
        )[0],
      { what: 'escalation of the unreachable one-to-one caller', timeoutMs: 10_000 },
    );
    const resident = deadCaller.reasons.find((r) => r.kind === 'one_to_one')?.targetId as string;
    const token = tokenFor(p, sent);
    const page = await request(p.server).get(`/ack/${token}`).expect(200);
    expect(page.text).toContain('一对一叫应名单');
    await request(p.server).post(`/api/v1/ack/${token}/residents/${resident}`).send({ informed: true }).expect(200);
    const both = await request(p.server)
      .post(`/api/v1/ack/${token}/residents/${resident}`)
      .send({ evacuationArranged: true })
      .expect(200);
    const mine = (
      both.body as Array<{ id: string; informedAt: string | null; evacuationArrangedAt: string | null }>
    ).find((r) => r.id === resident);
    expect(mine?.informedAt).toBeTruthy();
    expect(mine?.evacuationArrangedAt).toBeTruthy();

    // The silent director is escalated at the deadline, then reached by phone: a manual answer, marked late.
    await waitFor(async () => (await stateOf(p.ds, director.id)) === 'escalated', {
      what: 'director escalated',
      timeoutMs: 30_000,
    });
    await request(p.server)
      .post(`/api/v1/calls/${director.id}/manual-ack`)
      .set(auth(commander))
      .send({ response: 'received', note: 'x' })
      .expect(403);
    const manual = await request(p.server)
      .post(`/api/v1/calls/${director.id}/manual-ack`)
      .set(auth(duty))
      .send({ response: 'received', note: '座机联系上本人：已收到，正赶往3组' })
      .expect(200);
    expect(manual.body).toMatchObject({ late: true, alreadyAcknowledged: false });

    // The others of the same zone were told who answered (a notice, not a call), once the answers' window closed.
    await waitFor(
      async () =>
        (
          await p.ds.query<Array<{ n: number }>>(
            `SELECT count(*)::int AS n FROM notices WHERE kind = 'answered_by_peer' AND warning_id = $1`,
            [warningId],
          )
        )[0].n > 0,
      { what: 'who-answered notices' },
    );

    // Evacuation of the first flash-flood zone into its village's shelter.
    const zoneId = s.flashFloodZoneIds[0];
    const [shelter] = await p.ds.query<Array<{ id: string }>>(
      `SELECT s.id FROM shelters s JOIN risk_zones z ON z.admin_unit_code = s.admin_unit_code WHERE z.id = $1`,
      [zoneId],
    );
    const started = await request(p.server)
      .post('/api/v1/evacuations')
      .set(auth(duty))
      .send({ warningId, riskZoneId: zoneId, shelterId: shelter.id, organiserPersonId: s.villageSecretaryId })
      .expect(201);
    const evacuationId = (started.body as { id: string }).id;
    await request(p.server)
      .post(`/api/v1/evacuations/${evacuationId}/reports`)
      .set(auth(duty))
      .send({ households: 15, persons: 48 })
      .expect(200);
    const progress = await request(p.server)
      .post(`/api/v1/evacuations/${evacuationId}/reports`)
      .set(auth(duty))
      .send({ households: 3, persons: 9 })
      .expect(200);
    const zone = (
      progress.body as Array<{
        planned: { persons: number };
        moved: { households: number; persons: number };
        shelters: unknown[];
      }>
    )[0];
    expect(zone.moved).toMatchObject({ households: 18, persons: 57 });
    expect(zone.planned.persons).toBeGreaterThan(0);
    expect(zone.shelters).toHaveLength(1);
    await request(p.server).post(`/api/v1/evacuations/${evacuationId}/return`).set(auth(duty)).expect(409);

    // A 熔断 order (停工) to the hydropower station's operator: acknowledged, then executed with a note.
    const [operator] = await p.ds.query<Array<{ person_id: string }>>(
      `SELECT person_id FROM responsibility_assignments WHERE target_type = 'object' AND target_id = $1 ORDER BY role_slot LIMIT 1`,
      [s.hydropowerObjectId],
    );
    const order = await request(p.server)
      .post('/api/v1/orders')
      .set(auth(commander))
      .send({
        measure: 'stop_work',
        title: '十直镇电站停工、人员撤离至安全区',
        regionCode: s.townCode,
        warningId,
        ackDeadlineMin: 60,
        executeDeadlineMin: 120,
        targets: [{ personId: operator.person_id, unitName: '十直镇电站' }],
      })
      .expect(201);
    const orderId = (order.body as { id: string }).id;
    const [target] = await p.ds.query<Array<{ id: string }>>(`SELECT id FROM order_targets WHERE order_id = $1`, [
      orderId,
    ]);
    const orderToken = p.app.get(AckLinks).orderToken(target.id, operator.person_id);
    await request(p.server)
      .post(`/api/v1/order-targets/${tokenFor(p, director)}`)
      .send({ action: 'acknowledge' })
      .expect(404);
    await request(p.server).post(`/api/v1/order-targets/${orderToken}`).send({ action: 'acknowledge' }).expect(200);
    await request(p.server).post(`/api/v1/order-targets/${orderToken}`).send({ action: 'execute' }).expect(400);
    const executed = await request(p.server)
      .post(`/api/v1/order-targets/${orderToken}`)
      .send({ action: 'execute', note: '已停机，人员已撤离', photoUrl: 'https://example.invalid/p/1.jpg' })
      .expect(200);
    expect(executed.body).toMatchObject({ state: 'executed' });

    // The commander's board.
    const board = await request(p.server).get('/api/v1/board').set(auth(commander)).expect(200);
    const b = board.body as {
      activeWarnings: Array<{ id: string }>;
      townAckRates: Array<{ townCode: string; rate: number }>;
      evacuations: unknown[];
    };
    expect(b.activeWarnings.map((w) => w.id)).toContain(warningId);
    expect(b.townAckRates.find((t) => t.townCode === s.townCode)?.rate).toBeGreaterThan(0.5);
    expect(b.evacuations).toHaveLength(1);
    await request(p.server).get('/api/v1/board').set(auth(ingest)).expect(403);

    // Closure is refused while the warning is live; the lift stops everything and sends the 解除 notice.
    await request(p.server).post(`/api/v1/warnings/${warningId}/close`).set(auth(duty)).expect(409);
    const lifted = await request(p.server)
      .post(`/api/v1/warnings/${warningId}/lift`)
      .set(auth(duty))
      .send({ note: '降雨减弱' })
      .expect(200);
    const { liftVersionId, noticed } = lifted.body as { liftVersionId: string; noticed: number };
    expect(noticed).toBeGreaterThanOrEqual(t0.length);
    await request(p.server).post(`/api/v1/warnings/${warningId}/lift`).set(auth(duty)).send({}).expect(409);
    await waitFor(() => p.mail.list().find((m) => m.subject.includes('【解除】')), { what: 'lift notice email' });
    const open = await p.ds.query<unknown[]>(
      `SELECT 1 FROM call_tasks WHERE warning_id = $1 AND state IN ('pending','sent','unreachable')`,
      [warningId],
    );
    expect(open).toHaveLength(0);
    const liftTasks = await tasksOf(p.ds, liftVersionId);
    expect(liftTasks.every((t) => !t.requires_ack)).toBe(true);

    // Closure needs the order lifted and the return authorised; then the problem list holds the failures.
    await request(p.server).post(`/api/v1/warnings/${warningId}/close`).set(auth(duty)).expect(409);
    await request(p.server)
      .post(`/api/v1/orders/${orderId}/lift`)
      .set(auth(duty))
      .send({ note: '恢复生产' })
      .expect(200);
    await request(p.server)
      .post(`/api/v1/order-targets/${orderToken}`)
      .send({ action: 'lift_acknowledge' })
      .expect(200);
    await request(p.server).post(`/api/v1/evacuations/${evacuationId}/return`).set(auth(duty)).expect(200);
    const closed = await request(p.server).post(`/api/v1/warnings/${warningId}/close`).set(auth(duty)).expect(200);
    expect(closed.body).toMatchObject({ answeredLate: 1 });
    const issues = (await request(p.server).get('/api/v1/issues').set(auth(duty)).expect(200)).body as Array<{
      id: string;
      kind: string;
      callTaskId: string;
      ownerPersonId: string | null;
    }>;
    expect(issues.find((i) => i.callTaskId === director.id)?.kind).toBe('late_answer');
    expect(issues.find((i) => i.callTaskId === deadCaller.id)?.kind).toBe('unreachable');
    expect(issues.every((i) => i.ownerPersonId)).toBe(true);
    const item = issues[0].id;
    await request(p.server)
      .post(`/api/v1/issues/${item}/transition`)
      .set(auth(duty))
      .send({ to: 'closed' })
      .expect(400);
    for (const to of ['rectifying', 'verified', 'closed']) {
      await request(p.server)
        .post(`/api/v1/issues/${item}/transition`)
        .set(auth(duty))
        .send({ to, note: '已更新名册号码' })
        .expect(200);
    }

    // Every answer and silence left a duty-performance record for the person and role.
    const records = (
      await request(p.server).get(`/api/v1/performance-records?warningId=${warningId}`).set(auth(duty)).expect(200)
    ).body as Array<{ kind: string; callTaskId: string; roleSlots: string[] }>;
    expect(records.filter((r) => r.kind === 'answered').length).toBeGreaterThanOrEqual(answering.length);
    expect(records.find((r) => r.callTaskId === director.id && r.kind === 'no_ack')).toBeDefined();
    expect(
      records.find((r) => r.callTaskId === director.id && r.kind === 'answered_late')?.roleSlots.length,
    ).toBeGreaterThan(0);
    expect(records.find((r) => r.callTaskId === deadCaller.id && r.kind === 'unreachable')).toBeDefined();
  });
});
