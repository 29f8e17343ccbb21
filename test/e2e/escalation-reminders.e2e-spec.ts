import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { QueueName } from '@app/queue';
import { AckLinks } from '@app/calls';
import type { Simulators } from '@app/simulators';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { issueKey, postCap, resetQuietly, waitMatched } from './response-support';

const SECRET = 'e2e-escalation-callback-secret-0123456789';
/** Red: every tier answers in 10 min, here 6 s; reminders every tier deadline, so every 6 s. */
const SCALE = 0.01;
const INTERVAL_MS = 10 * 60_000 * SCALE;

interface NoticeRow {
  id: string;
  person_id: string;
  round: number;
  sent_at: Date | null;
  top: boolean;
}

/**
 * A red warning over a village where nobody answers, and everyone on the escalation path was already called for it:
 * each of them gets one 督办 per round naming the silent people (not one per silent person, not nothing); the 包干
 * superior's answer to his 督办 pauses his own reminders; the unanswered 督办 climbs to the commander and then to the
 * duty desk (电话叫应); the silent are called again every interval until the lift, and nothing is sent after it.
 */
describe('督办 and reminders: a village that never answers', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let ds: DataSource;
  let demo: DemoSummary;
  let ingest: string;
  let officer: string;

  const phoneOf = async (personId: string) =>
    (
      await ds.query<Array<{ address: string }>>(
        `SELECT address FROM contact_methods WHERE person_id = $1 AND channel = 'sms' AND invalid_at IS NULL ORDER BY priority LIMIT 1`,
        [personId],
      )
    )[0]?.address;
  const noticesOf = (warningId: string, personId: string) =>
    ds.query<NoticeRow[]>(
      `SELECT id, person_id, round, sent_at, top FROM escalation_notices WHERE warning_id = $1 AND person_id = $2 ORDER BY round`,
      [warningId, personId],
    );
  const itemsOf = async (noticeId: string) =>
    (
      await ds.query<Array<{ call_task_id: string }>>(
        `SELECT call_task_id FROM escalation_notice_items WHERE notice_id = $1`,
        [noticeId],
      )
    ).map((r) => r.call_task_id);
  const taskOf = async (warningId: string, personId: string) =>
    (
      await ds.query<Array<{ id: string; tier: number; reminders: number; manual_call_at: Date | null }>>(
        `SELECT id, tier, reminders, manual_call_at FROM call_tasks WHERE warning_id = $1 AND person_id = $2`,
        [warningId, personId],
      )
    )[0];

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: SECRET,
      env: {
        TIMER_SCALE: String(SCALE),
        ESCALATION_GATHER_MS: '400',
        ACK_RATE_PER_SECOND: '10000',
        SMS_PROVIDERS: 'alibaba-sim',
      },
    });
    ({ sims } = env);
    ds = env.p.ds;
    await resetQuietly(ds);
    demo = await seedDemo(ds);
    ingest = await issueKey(ds, 'esc-ingest', 'ingest', '500000');
    officer = await issueKey(ds, 'esc-officer', 'duty_officer', '500230');
  });

  afterAll(async () => {
    await env.stop();
  });

  it('one 督办 per person per round up to the commander, reminders every interval, silence after the lift', async () => {
    const s = demo.shizhi;
    const county = demo.counties[s.townCode.slice(0, 6)];
    const { id: warningId } = await postCap(env.p, ingest, {
      identifier: 'ESC-SILENT-VILLAGE',
      geocode: s.villageCode,
      areaDesc: '汀溪村',
    });
    await waitMatched(ds, warningId);

    // Everyone on the path was called for the warning at once (red calls the 包干 leaders, duty officers, commander).
    const director = await taskOf(warningId, s.villageDirectorId);
    const leader = await taskOf(warningId, s.townLeaderId);
    const commander = await taskOf(warningId, county.commanderId);
    expect([director, leader, commander].every((t) => t && t.tier === 0)).toBe(true);

    // Round 1: the 包干 superior's one 督办 names the silent village director (and the other silent people).
    const [first] = await waitFor(
      async () => {
        const rows = await noticesOf(warningId, s.townLeaderId);
        return rows.length > 0 && rows[0].sent_at ? rows : null;
      },
      { what: '包干 superior 督办 sent', timeoutMs: 30_000 },
    );
    expect(await itemsOf(first.id)).toContain(director.id);
    const token = env.p.app.get(AckLinks).escalationToken(first.id, s.townLeaderId, null);
    const page = await request(env.p.server).get(`/escalation/${token}`).expect(200);
    expect(page.text).toContain('升级督办');
    const directorPhone = await phoneOf(s.villageDirectorId);
    expect(page.text).toContain(`href="tel:${directorPhone}"`);
    expect(page.text).toContain('汀溪村');
    // His own call's page links to it (the silent people's roles and phones are one tap away).
    const ackPage = await request(env.p.server)
      .get(`/ack/${env.p.app.get(AckLinks).token(leader.id, s.townLeaderId, null)}`)
      .expect(200);
    expect(ackPage.text).toContain('第1轮督办（升级督办）');
    expect(ackPage.text).toContain('/escalation/');
    // A forged or foreign-purpose token is refused with a message a person can act on.
    await request(env.p.server)
      .get(`/escalation/${env.p.app.get(AckLinks).token(leader.id, s.townLeaderId, null)}`)
      .expect(404);
    // 已联系上 without picking anyone is refused, nothing recorded.
    const refused = await request(env.p.server)
      .post(`/escalation/${token}`)
      .type('form')
      .send({ response: 'contacted' });
    expect(refused.status).toBe(400);
    // He acknowledges the 督办 (not yet acting on it): recorded as its own 履职记录, his call stays unanswered.
    await request(env.p.server).post(`/escalation/${token}`).type('form').send({ response: 'received' }).expect(303);
    const answers = await ds.query<Array<{ response: string }>>(
      `SELECT response FROM escalation_answers WHERE notice_id = $1`,
      [first.id],
    );
    expect(answers.map((a) => a.response)).toEqual(['received']);
    expect(
      (await ds.query<unknown[]>(`SELECT 1 FROM acknowledgements WHERE call_task_id = $1`, [leader.id])).length,
    ).toBe(0);

    // Nobody acts: the 督办 climbs to the commander, and past the top the duty desk phones the silent (电话叫应).
    const top = await waitFor(
      async () => {
        for (const n of await noticesOf(warningId, county.commanderId)) {
          if (n.sent_at && (await itemsOf(n.id)).includes(director.id)) {
            return n;
          }
        }
        return null;
      },
      { what: 'commander 督办 naming the director', timeoutMs: 60_000 },
    );
    expect(top.top).toBe(true);
    await waitFor(async () => !!(await taskOf(warningId, s.villageDirectorId)).manual_call_at, {
      what: 'director becomes 电话叫应',
      timeoutMs: 30_000,
    });
    // Reminders every interval: the director has had several by now, numbered, by voice.
    await waitFor(async () => (await taskOf(warningId, s.villageDirectorId)).reminders >= 4, {
      what: '4 reminders',
      timeoutMs: 30_000,
    });
    // The superior's answer paused his own reminder of that round.
    const paused = await ds.query<unknown[]>(
      `SELECT 1 FROM events WHERE call_task_id = $1 AND type = 'CallReminderPaused'`,
      [leader.id],
    );
    expect(paused.length).toBe(1);

    // Lift: nothing more goes out after it (the 解除 notice aside).
    const liftStart = Date.now();
    await request(env.p.server)
      .post(`/api/v1/warnings/${warningId}/lift`)
      .set('Authorization', `Bearer ${officer}`)
      .send({ note: '雨停' })
      .expect(200);
    const liftedAt = Date.now();
    const calls = sims.network.callsTo().length;
    // Two more intervals pass and every timer due in them has run (and skipped).
    await waitFor(
      async () => {
        const due = (await deadlineJobs(env)).filter((at) => at <= Date.now());
        return Date.now() > liftedAt + 2 * INTERVAL_MS && due.length === 0;
      },
      { what: 'timers past the lift ran', timeoutMs: 60_000 },
    );
    const after = sims.network.messages(undefined, liftedAt);
    expect(after.filter((m) => !m.text.includes('解除')).map((m) => m.text)).toEqual([]);
    expect(sims.network.callsTo().length).toBe(calls);

    // Counts per person per round: exactly one 督办 (one SMS, one email) per person per round they were reached in,
    // never one per silent person, never a second one for checks of the round that ran after it went out.
    const onPath = [s.townLeaderId, ...county.dutyOfficerIds, county.commanderId];
    for (const personId of onPath) {
      const rows = await noticesOf(warningId, personId);
      expect(rows.every((r) => r.round >= 1 && r.sent_at)).toBe(true);
      const perRound = await ds.query<Array<{ round: number; sms: number; email: number }>>(
        `SELECT n.round, count(m.*) FILTER (WHERE m.channel = 'sms')::int AS sms, count(m.*) FILTER (WHERE m.channel = 'email')::int AS email
         FROM escalation_notices n LEFT JOIN notices m ON m.dedupe_key = 'dubang-' || n.id AND m.person_id = n.person_id
         WHERE n.person_id = $1 AND n.warning_id = $2 GROUP BY n.round ORDER BY n.round`,
        [personId, warningId],
      );
      // Nobody answered, so every round that reached this person told them, once.
      // (a round whose notice was due as the lift came is closed silently with the warning)
      const told = rows.filter((r) => (r.sent_at as Date).getTime() < liftStart);
      expect(
        perRound.filter((r) => told.some((t) => t.round === r.round)).map((r) => [r.round, r.sms, r.email <= 1]),
      ).toEqual(told.map((r) => [r.round, 1, true]));
      const phone = await phoneOf(personId);
      const texts = sims.network
        .messages(phone)
        .filter((m) => m.text.includes('升级督办'))
        .map((m) => m.text);
      expect(texts.length).toBe(perRound.reduce((n, r) => n + r.sms, 0));
      for (const r of rows) {
        expect(texts.filter((t) => t.includes(`第${r.round}轮督办`)).length).toBe(told.includes(r) ? 1 : 0);
      }
      // Already called for the warning themselves: the 督办 told them; their own call carries no extra reasons.
      const ackView = await request(env.p.server)
        .get(`/ack/${env.p.app.get(AckLinks).token((await taskOf(warningId, personId)).id, personId, null)}`)
        .expect(200);
      expect(ackView.text).not.toContain('未在时限内应答');
    }
    // The director's silence climbs one step a round: listed in round 1 (包干 superior), 2, … up to the commander.
    const directorRounds = (
      await ds.query<Array<{ round: number; person_id: string }>>(
        `SELECT n.round, n.person_id FROM escalation_notice_items i JOIN escalation_notices n ON n.id = i.notice_id
       WHERE i.call_task_id = $1 ORDER BY n.round`,
        [director.id],
      )
    ).map((r) => r.round);
    const distinct = [...new Set(directorRounds)];
    expect(distinct).toEqual(distinct.map((_r, i) => i + 1));
    expect(distinct.length).toBeGreaterThanOrEqual(2);
    // The director: one voice reminder per interval, numbered 1..n, never two in one interval.
    const reminders = await ds.query<Array<{ rung: number; channel: string; created_at: Date; status: string }>>(
      `SELECT rung, channel, created_at, status FROM attempts WHERE call_task_id = $1 AND rung > 100 ORDER BY rung`,
      [director.id],
    );
    expect(reminders.map((r) => r.rung)).toEqual(reminders.map((_r, i) => 101 + i));
    expect(reminders.every((r) => r.channel === 'voice')).toBe(true);
    const gaps = reminders.slice(1).map((r, i) => r.created_at.getTime() - reminders[i].created_at.getTime());
    expect(gaps.every((g) => g > INTERVAL_MS * 0.8)).toBe(true);
    const directorCalls = sims.network.callsTo(directorPhone).filter((c) => c.text.includes('次提醒'));
    // (one still queued at the lift was cancelled with it)
    expect(directorCalls.length).toBe(reminders.filter((r) => r.status !== 'cancelled').length);
    expect(directorCalls[0].text).toContain('第1次提醒');
  });
});

/** When each job still waiting on the deadlines queue is due (ms). */
async function deadlineJobs(env: SimulatedPipeline): Promise<number[]> {
  const queue = env.p.app.get<Queue>(getQueueToken(QueueName.Deadlines));
  const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
  return jobs.map((j) => j.timestamp + (j.opts.delay ?? 0));
}
