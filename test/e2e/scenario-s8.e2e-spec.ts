import request from 'supertest';
import { waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
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
  waitMatched,
} from './response-support';

const SENDER = 'fengdu-qxt@cma.gov.cn';

/**
 * Scenario S8 (docs/domain.md): yellow → orange (re-叫应, those who answered yellow answer again) → red → downgrade to orange
 * (notify-only for those who answered; no re-叫应) → lifted → closed with the problem list.
 */
describe('S8 upgrade, downgrade, lift and closure', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ingest: string;
  let duty: string;

  beforeAll(async () => {
    // red 10 min × 0.01 = 6 s, so a silent person is escalated within the test.
    p = await startPipeline({ TIMER_SCALE: '0.01', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    duty = await issueKey(p.ds, 'duty', 'duty_officer', '500230');
  });

  afterAll(async () => {
    await p.stop();
  });

  it('calls again on upgrade, keeps answers on downgrade, stops on lift and closes with the problem list', async () => {
    const town = demo.shizhi.townCode;
    const versions: Array<{ identifier: string; sent: string }> = [];
    const refs = () => versions.map((v) => `${SENDER},${v.identifier},${v.sent}`).join(' ');
    const issue = async (
      identifier: string,
      colour: '黄色' | '橙色' | '红色',
      msgType: 'Alert' | 'Update' | 'Cancel' = 'Update',
    ) => {
      const sent = capTime(versions.length * 1000 - 60_000);
      const severity = colour === '红色' ? 'Extreme' : colour === '橙色' ? 'Severe' : 'Moderate';
      const r = await postCap(p, ingest, {
        identifier,
        sent,
        colour,
        severity,
        msgType,
        geocode: town,
        references: versions.length ? refs() : undefined,
      });
      versions.push({ identifier, sent });
      if (msgType !== 'Cancel') {
        await waitMatched(p.ds, r.id);
      }
      return { ...r, tasks: msgType === 'Cancel' ? [] : await tasksOf(p.ds, r.id) };
    };
    const answerAll = async (tasks: TaskRow[], except: Set<string> = new Set()) => {
      for (const t of tasks.filter((x) => x.requires_ack && x.state !== 'unreachable' && !except.has(x.person_id))) {
        expect((await answer(p, t)).status).toBe(200);
      }
    };

    const yellow = await issue('S8-YELLOW', '黄色', 'Alert');
    expect(yellow.tasks.length).toBeGreaterThan(0);
    const silentOnYellow = yellow.tasks.find((t) => t.state !== 'unreachable') as TaskRow;
    await answerAll(yellow.tasks, new Set([silentOnYellow.person_id]));

    // Orange: a new call for everyone matched, including those who answered yellow; yellow's open call is superseded.
    const orange = await issue('S8-ORANGE', '橙色');
    expect(orange.outcome).toBe('updated');
    expect(await stateOf(p.ds, silentOnYellow.id)).toBe('superseded');
    const answeredYellow = yellow.tasks.find(
      (t) => t.person_id !== silentOnYellow.person_id && t.state !== 'unreachable',
    ) as TaskRow;
    const again = orange.tasks.find((t) => t.person_id === answeredYellow.person_id) as TaskRow;
    expect(again).toMatchObject({ requires_ack: true });
    expect(orange.tasks.every((t) => t.requires_ack)).toBe(true);
    expect(orange.tasks.length).toBeGreaterThanOrEqual(yellow.tasks.length);
    await answerAll(orange.tasks);

    // Red: everyone again. One person stays silent and is escalated at the red deadline.
    const red = await issue('S8-RED', '红色');
    // Everyone matched again is called again; someone called for orange but not matched for red only hears of it.
    expect(red.tasks.find((t) => t.person_id === answeredYellow.person_id)).toMatchObject({ requires_ack: true });
    const orangePeople = new Set(orange.tasks.map((t) => t.person_id));
    expect(red.tasks.filter((t) => orangePeople.has(t.person_id)).length).toBe(orangePeople.size);
    expect(red.tasks.filter((t) => !t.requires_ack).length).toBeLessThan(red.tasks.length / 10);
    const callable = red.tasks.filter((t) => t.state !== 'unreachable');
    const silentOnRed = callable.find((t) => t.person_id === demo.shizhi.villageMonitorId) ?? callable[0];
    await answerAll(red.tasks, new Set([silentOnRed.person_id]));
    await waitFor(async () => (await stateOf(p.ds, silentOnRed.id)) === 'escalated', {
      what: 'silent person escalated',
      timeoutMs: 20_000,
    });

    // Downgrade to orange: those who answered red keep their answer (notify-only); the silent one is still called.
    const mailsBefore = p.mail.list().length;
    const down = await issue('S8-ORANGE-DOWN', '橙色');
    const answeredRed = red.tasks.find(
      (t) => t.tier === 0 && t.person_id !== silentOnRed.person_id && t.state !== 'unreachable',
    ) as TaskRow;
    expect(down.tasks.find((t) => t.person_id === answeredRed.person_id)).toMatchObject({ requires_ack: false });
    expect(down.tasks.find((t) => t.person_id === silentOnRed.person_id)).toMatchObject({ requires_ack: true });
    const redPeople = new Set(red.tasks.map((t) => t.person_id));
    expect(down.tasks.filter((t) => redPeople.has(t.person_id)).length).toBe(redPeople.size);
    const notifyOnly = down.tasks.filter((t) => !t.requires_ack);
    expect(notifyOnly.length).toBeGreaterThan(down.tasks.length / 2);
    await waitFor(() => p.mail.list().length > mailsBefore, { what: 'downgrade notice' });
    const noTimers = await p.ds.query<unknown[]>(
      `SELECT 1 FROM call_tasks WHERE id = ANY($1::uuid[]) AND deadline_at IS NOT NULL`,
      [notifyOnly.map((t) => t.id)],
    );
    expect(noTimers).toHaveLength(0);

    // Lift (CAP Cancel): open calls stop; the 解除 notice goes to everyone called.
    const lift = await issue('S8-CANCEL', '橙色', 'Cancel');
    expect(lift.outcome).toBe('cancelled');
    const open = await p.ds.query<unknown[]>(
      `SELECT 1 FROM call_tasks t JOIN warnings w ON w.id = t.warning_id WHERE w.chain_id = (SELECT chain_id FROM warnings WHERE id = $1)
       AND t.state IN ('pending','sent','unreachable') AND w.id <> $1`,
      [lift.id],
    );
    expect(open).toHaveLength(0);
    const liftNotices = await tasksOf(p.ds, lift.id);
    expect(new Set(liftNotices.map((t) => t.person_id)).size).toBeGreaterThanOrEqual(redPeople.size);

    // Closure: the silent person's red call is on the problem list.
    const closed = await request(p.server)
      .post(`/api/v1/warnings/${yellow.id}/close`)
      .set('Authorization', `Bearer ${duty}`)
      .expect(200);
    expect((closed.body as { issuesCreated: number }).issuesCreated).toBeGreaterThanOrEqual(1);
    const issues = (
      await request(p.server).get('/api/v1/issues?state=open').set('Authorization', `Bearer ${duty}`).expect(200)
    ).body as Array<{ callTaskId: string; kind: string }>;
    expect(issues.find((i) => i.callTaskId === silentOnRed.id)?.kind).toBe('no_answer');
    await request(p.server)
      .post(`/api/v1/warnings/${yellow.id}/close`)
      .set('Authorization', `Bearer ${duty}`)
      .expect(409);
    // Five versions, each matched and called: 97 s at a load average of 18, so more than the suite default of 60 s.
  }, 180_000);
});
