import { Queue } from 'bullmq';
import { waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { CHECKS_PER_JOB, JobName, QueueName } from '@app/queue';
import { DeadlineService } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import { issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

interface CheckData {
  callTaskIds: string[];
  step: number | 'deadline';
  dueAt: string;
}

/**
 * The timers of one dispatch fall due together, so they travel as one job per CHECKS_PER_JOB call tasks: a town's
 * silent people are a few jobs for the deadline worker to fetch, not one each (the fan-out benchmark measures why).
 */
describe('deadline checks in batches', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ingest: string;
  let deadlines: Queue;

  beforeAll(async () => {
    // Red: answer deadlines of 10 min per tier, 12 s here; the assertions run before the second tier's fall due.
    p = await startPipeline({ TIMER_SCALE: '0.02' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    deadlines = new Queue(QueueName.Deadlines, {
      connection: { url: process.env.REDIS_URL as string },
      prefix: process.env.QUEUE_PREFIX,
    });
  });

  afterAll(async () => {
    await deadlines.close();
    await p.stop();
  });

  it('checks a town’s silent people in jobs of at most 50, escalates every one of them once, and skips a repeat', async () => {
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'BATCH-TOWN',
      geocode: demo.shizhi.townCode,
      areaDesc: '十直镇',
    });
    await waitMatched(p.ds, warningId);
    const first = (await tasksOf(p.ds, warningId)).filter((t) => t.tier === 0 && t.requires_ack);
    expect(first.length).toBeGreaterThan(CHECKS_PER_JOB);
    const ids = new Set(first.map((t) => t.id));

    // Nobody answers: every first-tier call is escalated.
    await waitFor(
      async () =>
        (await tasksOf(p.ds, warningId)).filter((t) => ids.has(t.id) && t.state === 'escalated').length === ids.size,
      {
        what: 'every first-tier call escalated',
        timeoutMs: 30_000,
      },
    );

    // Their answer deadlines (all due at one moment; someone with no contact at all is due at once, and escalation
    // rounds come later) came as ceil(n / 50) jobs of at most 50, each task named once.
    const all = (await deadlines.getJobs(['completed', 'active', 'waiting', 'delayed'], 0, 10_000))
      .filter((j) => j.name === (JobName.CheckCallTasks as string))
      .map((j) => j.data as CheckData)
      .filter((d) => d.step === 'deadline' && d.callTaskIds.some((id) => ids.has(id)));
    expect(new Set(all.flatMap((d) => d.callTaskIds)).size).toBeGreaterThanOrEqual(ids.size);
    const byDue = new Map<string, CheckData[]>();
    all.forEach((d) => byDue.set(d.dueAt, [...(byDue.get(d.dueAt) ?? []), d]));
    const jobs = [...byDue.values()].sort((a, b) => b.length - a.length)[0];
    const named = jobs.flatMap((d) => d.callTaskIds);
    expect(named.length).toBeGreaterThan(CHECKS_PER_JOB);
    expect(new Set(named).size).toBe(named.length);
    expect(named.every((id) => ids.has(id))).toBe(true);
    expect(jobs.every((d) => d.callTaskIds.length <= CHECKS_PER_JOB)).toBe(true);
    expect(jobs.length).toBe(Math.ceil(named.length / CHECKS_PER_JOB));

    // Each of them was escalated once; running the same checks again changes nothing.
    const escalations = async () =>
      await p.ds.query<Array<{ from_task_id: string; n: number }>>(
        `SELECT from_task_id, count(DISTINCT at)::int AS n FROM escalations WHERE from_task_id = ANY($1::uuid[]) GROUP BY from_task_id`,
        [named],
      );
    const before = await escalations();
    expect(before).toHaveLength(named.length);
    expect(before.every((e) => e.n === 1)).toBe(true);
    await expect(p.app.get(DeadlineService).check(named, 'deadline')).resolves.toBe('skipped');
    expect(await escalations()).toEqual(before);
  });

  it('checks calls together, and when one of a chunk cannot be escalated, escalates the others alone and fails only it', async () => {
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'BATCH-ONE-BAD',
      geocode: demo.shizhi.townCode,
      areaDesc: '十直镇',
    });
    await waitMatched(p.ds, warningId);
    // Checked at once, long before their own deadlines (12 s): three silent first-tier calls of one chunk.
    const [good1, bad, good2] = (await tasksOf(p.ds, warningId)).filter(
      (t) => t.tier === 0 && t.requires_ack && t.state !== 'unreachable',
    );
    // The one in the middle names someone above who is not on the roster: calling them breaks a foreign key.
    await p.ds.query(
      `UPDATE call_tasks SET escalation_path = '[["00000000-0000-4000-8000-00000000dead"]]' WHERE id = $1`,
      [bad.id],
    );
    const check = p.app.get(DeadlineService).check([good1.id, bad.id, good2.id], 'deadline');
    await expect(check).rejects.toThrow(/^1 of 3 checks failed/);

    const states = await p.ds.query<Array<{ id: string; state: string; escalations: number }>>(
      `SELECT t.id, t.state, (SELECT count(DISTINCT e.at)::int FROM escalations e WHERE e.from_task_id = t.id) AS escalations
       FROM call_tasks t WHERE t.id = ANY($1::uuid[])`,
      [[good1.id, bad.id, good2.id]],
    );
    const byId = new Map(states.map((s) => [s.id, s]));
    expect(byId.get(good1.id)).toMatchObject({ state: 'escalated', escalations: 1 });
    expect(byId.get(good2.id)).toMatchObject({ state: 'escalated', escalations: 1 });
    // Nothing of the failed one was written (its own deadline job would try again).
    expect(byId.get(bad.id)?.escalations).toBe(0);
    expect(byId.get(bad.id)?.state).not.toBe('escalated');
    // Stop its own deadline from retrying the broken row for the rest of the suite.
    await p.ds.query(`UPDATE call_tasks SET requires_ack = false WHERE id = $1`, [bad.id]);
  });

  it('calls a person above once when several calls of one chunk climb to them, and every climb points at that call', async () => {
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'BATCH-SAME-ABOVE',
      geocode: demo.shizhi.townCode,
      areaDesc: '十直镇',
    });
    await waitMatched(p.ds, warningId);
    const silent = (await tasksOf(p.ds, warningId))
      .filter((t) => t.tier === 0 && t.requires_ack && t.state !== 'unreachable')
      .slice(0, 3);
    // Someone on the roster this warning did not call: the three calls' paths all name them.
    const [above] = await p.ds.query<Array<{ id: string }>>(
      `SELECT id FROM persons WHERE id NOT IN (SELECT person_id FROM call_tasks WHERE warning_id = $1) ORDER BY id LIMIT 1`,
      [warningId],
    );
    await p.ds.query(
      `UPDATE call_tasks SET escalation_path = jsonb_build_array(jsonb_build_array($2::text)) WHERE id = ANY($1::uuid[])`,
      [silent.map((t) => t.id), above.id],
    );
    await expect(
      p.app.get(DeadlineService).check(
        silent.map((t) => t.id),
        'deadline',
      ),
    ).resolves.toBe('done');

    const calls = await p.ds.query<Array<{ id: string; tier: number }>>(
      `SELECT id, tier FROM call_tasks WHERE warning_id = $1 AND person_id = $2`,
      [warningId, above.id],
    );
    expect(calls).toHaveLength(1);
    expect(calls[0].tier).toBe(1);
    const climbs = await p.ds.query<Array<{ from_task_id: string; to_task_id: string | null }>>(
      `SELECT from_task_id, to_task_id FROM escalations WHERE from_task_id = ANY($1::uuid[])`,
      [silent.map((t) => t.id)],
    );
    expect(climbs.map((c) => c.from_task_id).sort()).toEqual(silent.map((t) => t.id).sort());
    expect(climbs.every((c) => c.to_task_id === calls[0].id)).toBe(true);
  });
});
