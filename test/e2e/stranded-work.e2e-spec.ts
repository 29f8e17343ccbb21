import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { JobName, QueueName, jobId } from '@app/queue';
import { StrandedWorkSweeper, WarningLifecycle } from '@app/response';
import type { Simulators } from '@app/simulators';
import { resetDatabase } from '@app/testing';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { issueKey, postCap, waitMatched } from './response-support';

const SHIZHI = '500230107';
const SECRET = 'e2e-callback-secret-stranded-0123';
const PREFIX = `jy-stranded-${Date.now()}`;

/**
 * A crash between a commit and its enqueue, or a Redis that lost its jobs, must not lose a due message: the sweep
 * reads what PostgreSQL says is still to do and puts it back on the queues. Jobs are "lost" here by pausing a queue
 * before the work is committed and emptying it afterwards.
 */
describe('the sweep re-enqueues work whose jobs were lost', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let ingestKey: string;

  const queue = (name: QueueName) => p.app.get<Queue>(getQueueToken(name));
  const lose = async (names: QueueName[]) => {
    for (const name of names) {
      await queue(name).obliterate({ force: true });
      await queue(name).resume();
    }
  };
  const pause = (names: QueueName[]) => Promise.all(names.map((name) => queue(name).pause()));
  const sweep = async () => {
    await new Promise((r) => setTimeout(r, 150)); // older than SWEEP_STALE_MS and SWEEP_TIMER_GRACE_MS
    return p.app.get(StrandedWorkSweeper).sweep();
  };
  const publicStatus = (warningId: string) =>
    ds
      .query<Array<{ sms: string[] | null; speakers: string[] | null }>>(
        `SELECT (SELECT array_agg(b.status) FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id WHERE n.warning_id = $1) AS sms,
              (SELECT array_agg(j.status) FROM broadcast_jobs j JOIN public_notices n ON n.id = j.notice_id WHERE n.warning_id = $1) AS speakers`,
        [warningId],
      )
      .then(([r]) => r);

  beforeAll(async () => {
    // Red: voice rungs at 1.8 and 3.6 s, answer deadline 6 s.
    env = await startSimulatedPipeline({
      secret: SECRET,
      mqttPrefix: PREFIX,
      env: { TIMER_SCALE: '0.01', SWEEP_STALE_MS: '100', SWEEP_TIMER_GRACE_MS: '100', SMS_PROVIDERS: 'alibaba-sim' },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetDatabase(ds);
    await seedDemo(ds);
    ingestKey = await issueKey(ds, 'ingest', 'ingest', '500000');
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
    delete process.env.SWEEP_STALE_MS; // later specs in this process sweep with the defaults
    delete process.env.SWEEP_TIMER_GRACE_MS;
  });

  it('sends calls, plans the residents’ warning and escalates at the deadline after every job of a warning was lost', async () => {
    const lost = [
      QueueName.DispatchSms,
      QueueName.DispatchSmsPages,
      QueueName.DispatchPublicSms,
      QueueName.DispatchEmail,
      QueueName.DispatchVoice,
      QueueName.DispatchBroadcast,
      QueueName.PublicWarnings,
      QueueName.Deadlines,
    ];
    await pause(lost);
    const { id: warningId } = await postCap(p, ingestKey, {
      identifier: 'STRANDED-1',
      geocode: SHIZHI,
      areaDesc: '十直镇',
    });
    await waitMatched(ds, warningId);
    await lose(lost);

    const first = await sweep();
    expect(first.attempts).toBeGreaterThan(0);
    expect(first.publicPlans).toBe(1);
    // Every first message goes out, and the residents are warned.
    await waitFor(
      async () => {
        const [r] = await ds.query<Array<{ left: number }>>(
          `SELECT count(*)::int AS left FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE t.warning_id = $1 AND a.rung = 0 AND a.status IN ('queued', 'sending')`,
          [warningId],
        );
        return r.left === 0;
      },
      { what: 'every first-rung message sent', timeoutMs: 30_000 },
    );
    await waitFor(
      async () => {
        const s = await publicStatus(warningId);
        return s.sms?.every((x) => x === 'accepted') && s.speakers?.every((x) => x === 'played');
      },
      { what: 'area SMS accepted and loudspeaker played', timeoutMs: 30_000 },
    );
    // The demo's residents of the matched high-risk zones of 十直镇.
    const residents = (
      await ds.query<Array<{ phone: string }>>(
        `SELECT DISTINCT r.phone FROM resident_phones r JOIN public_notices n ON r.risk_zone_id = ANY (n.zone_ids)
       WHERE n.warning_id = $1 AND n.channel = 'sms' ORDER BY r.phone`,
        [warningId],
      )
    ).map((r) => r.phone);
    expect(residents.length).toBeGreaterThan(0);
    for (const phone of residents) {
      expect(sims.network.messages(phone).length).toBeGreaterThan(0);
    }

    // The timers were lost too. When the voice rung's time has passed, the sweep runs it.
    const [{ rungAt }] = await ds.query<Array<{ rungAt: Date }>>(
      `SELECT max(t.created_at + (d.spec->'tiers'->0->'ladderMs'->1->>'atMs')::bigint * interval '1 millisecond') AS "rungAt"
       FROM call_tasks t JOIN dispatches d ON d.id = t.dispatch_id WHERE t.warning_id = $1 AND t.tier = 0`,
      [warningId],
    );
    await new Promise((r) => setTimeout(r, Math.max(0, rungAt.getTime() - Date.now()) + 50));
    const rungs = await sweep();
    expect(rungs.rungs).toBeGreaterThan(0);
    await waitFor(
      async () => {
        const [r] = await ds.query<Array<{ voice: number }>>(
          `SELECT count(*)::int AS voice FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.rung = 1 AND a.channel = 'voice'`,
          [warningId],
        );
        return r.voice >= rungs.rungs;
      },
      { what: 'voice rung run by the sweep', timeoutMs: 10_000 },
    );

    // And after the answer deadline the sweep finds the silent calls and they escalate.
    const [{ due }] = await ds.query<Array<{ due: Date }>>(
      `SELECT max(deadline_at) AS due FROM call_tasks WHERE warning_id = $1 AND tier = 0`,
      [warningId],
    );
    await new Promise((r) => setTimeout(r, Math.max(0, due.getTime() - Date.now()) + 50));
    const later = await sweep();
    expect(later.deadlines).toBeGreaterThan(0);
    await waitFor(
      async () => {
        const [r] = await ds.query<Array<{ silent: number }>>(
          `SELECT count(*)::int AS silent FROM call_tasks WHERE warning_id = $1 AND tier = 0 AND requires_ack AND state IN ('pending', 'sent')`,
          [warningId],
        );
        return r.silent === 0;
      },
      { what: 'every silent first-tier call escalated', timeoutMs: 30_000 },
    );
    // Lifted, so the town's silent calls stop being reminded every 6 s while the next tests run.
    await p.app.get(WarningLifecycle).liftByOfficer(warningId, '500000', 'test', null);
    // Lost work waits for the sweep and then for its sends: 39 s on a quiet machine, over 60 s beside another suite.
  }, 180_000);

  it('sends area SMS batches and loudspeaker orders whose jobs were lost after the plan committed', async () => {
    const lost = [QueueName.DispatchPublicSms, QueueName.DispatchBroadcast];
    await pause(lost);
    const { id: warningId } = await postCap(p, ingestKey, {
      identifier: 'STRANDED-2',
      geocode: SHIZHI,
      areaDesc: '十直镇',
    });
    await waitFor(
      async () => {
        const s = await publicStatus(warningId);
        return !!s.sms?.length && !!s.speakers?.length;
      },
      { what: 'public warning planned', timeoutMs: 30_000 },
    );
    await lose(lost);
    expect(await publicStatus(warningId)).toEqual({ sms: ['queued'], speakers: ['queued'] });

    const report = await sweep();
    expect(report).toMatchObject({ publicPlans: 0, publicSms: 1, broadcasts: 1 });
    await waitFor(
      async () => {
        const s = await publicStatus(warningId);
        return s.sms?.[0] === 'accepted' && s.speakers?.[0] === 'played';
      },
      { what: 'area SMS accepted and loudspeaker played after the sweep', timeoutMs: 30_000 },
    );
    // A second sweep finds nothing left of it.
    expect(await sweep()).toMatchObject({ publicSms: 0, broadcasts: 0 });
  }, 180_000);
  it("runs again a matching job kept under the warning's job id although it matched nothing", async () => {
    const matching = queue(QueueName.Matching);
    await pause([QueueName.Matching]);
    const { id: warningId } = await postCap(p, ingestKey, {
      identifier: 'STRANDED-MATCH',
      geocode: SHIZHI,
      areaDesc: '十直镇',
    });
    const id = jobId.match(warningId);
    await waitFor(async () => (await matching.getJob(id)) !== undefined, { what: 'the matching job' });
    // What a job that failed for good (or finished early) leaves: a finished job under the same id, the warning unmatched.
    await (await matching.getJob(id))?.remove();
    await matching.add(
      JobName.MatchWarning,
      { warningId: '00000000-0000-4000-8000-000000000000' },
      { jobId: id, attempts: 1 },
    );
    await matching.resume();
    await waitFor(async () => ['completed', 'failed'].includes((await (await matching.getJob(id))?.getState()) ?? ''), {
      what: 'the job finished',
    });
    const [w] = await ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [warningId]);
    expect(w.state).toBe('received');

    expect((await sweep()).warnings).toBeGreaterThanOrEqual(1);
    await waitMatched(ds, warningId);
  }, 180_000);
});
