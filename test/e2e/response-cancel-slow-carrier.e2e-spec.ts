import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import type { Simulators } from '@app/simulators';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { capTime, issueKey, postCap, resetQuietly, waitMatched } from './response-support';

const FENGDU = '500230';
const SLOW_MS = 1_000;

/**
 * A Cancel while the carrier takes a second to answer each SMS: hundreds of messages are at the carrier when the
 * Cancel arrives. The Cancel commits only once they have come back, and nothing reaches the carrier afterwards.
 */
describe('cancel with a slow carrier', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;

  beforeAll(async () => {
    // Deadlines and later rungs far away (TIMER_SCALE 1): only the first SMS and email of each call are sent.
    env = await startSimulatedPipeline({ secret: 'e2e-slow-carrier-secret-0123456789', env: { TIMER_SCALE: '1' } });
    sims = env.sims;
    await resetQuietly(env.p.ds);
    await seedDemo(env.p.ds);
  });

  afterAll(async () => {
    await env.stop();
  });

  it('lets no SMS reach the carrier after the cancel commits, though each takes a second to be answered', async () => {
    const { p } = env;
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    sims.network.clear();
    sims.network.setAnswerDelay('alibaba', SLOW_MS);
    sims.network.setAnswerDelay('tencent', SLOW_MS);
    const original = { identifier: 'SLOW-RED', sent: capTime(-60_000), geocode: FENGDU, areaDesc: '丰都县全境' };
    const { id: warningId } = await postCap(p, ingest, original);
    await waitMatched(p.ds, warningId);
    const smsOf = async (statuses: string[]) =>
      (
        await p.ds.query<Array<{ n: number; last: Date | null }>>(
          `SELECT count(*)::int AS n, max(a.sent_at) AS last FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status = ANY($2::varchar[])`,
          [warningId, statuses],
        )
      )[0];
    // Mid fan-out: messages have come back, hundreds are still at the carrier or queued.
    await waitFor(async () => (await smsOf(['accepted', 'delivered'])).n >= 20, {
      what: 'fan-out under way',
      intervalMs: 10,
      timeoutMs: 30_000,
    });
    const inFlightAtCancel = (await smsOf(['sending'])).n;

    const cancelled = await postCap(p, ingest, {
      identifier: 'SLOW-RED-CANCEL',
      msgType: 'Cancel',
      sent: capTime(0),
      geocode: FENGDU,
      references: `fengdu-qxt@cma.gov.cn,SLOW-RED,${original.sent}`,
      headline: '丰都县气象台解除暴雨红色预警信号',
    });
    const committedBy = Date.now();
    expect(cancelled.outcome).toBe('cancelled');
    expect((await smsOf(['sending'])).n).toBe(0);
    expect((await smsOf(['queued'])).n).toBe(0);
    const sent = await smsOf(['accepted', 'delivered']);
    expect((await smsOf(['cancelled'])).n).toBeGreaterThan(100);
    process.stdout.write(
      `slow carrier: ${inFlightAtCancel} SMS in flight at the cancel, ${sent.n} accepted before its commit\n`,
    );

    // The lift notices go out; the leftover send jobs of the red warning find nothing to send.
    await waitFor(() => sims.network.messages().some((m) => m.text.includes('解除')), {
      what: 'a lift notice',
      timeoutMs: 60_000,
    });
    await waitFor(
      async () =>
        (
          await p.ds.query<unknown[]>(
            `SELECT 1 FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.status IN ('queued', 'sending')`,
            [cancelled.id],
          )
        ).length === 0,
      // Hundreds of lift notices through a carrier that answers each after a second: work, not a speed asserted; its
      // budget holds on a machine kept busy by other work.
      { what: 'every lift notice sent', timeoutMs: 180_000 },
    );
    const keys = new Set(
      (
        await p.ds.query<Array<{ k: string }>>(
          `SELECT a.idempotency_key AS k FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.channel = 'sms'`,
          [warningId],
        )
      ).map((r) => r.k),
    );
    const calls = sims.network.messages().filter((m) => keys.has(m.outId));
    // Every SMS of the red warning reached the carrier before the commit (a few more than PostgreSQL counts as sent
    // when the carrier answered too late on a loaded machine: taken, but unknown to us), and none after it.
    expect(calls.length).toBeGreaterThanOrEqual(sent.n);
    expect(calls.filter((m) => m.atMs > committedBy)).toEqual([]);
    const after = await smsOf(['accepted', 'delivered']);
    expect(after.n).toBe(sent.n);
    expect(after.last?.getTime()).toBeLessThanOrEqual(committedBy);
    // The fan-out, the cancel and some 1,600 lift notices at a second each: its waits, not jest's default minute.
  }, 300_000);
});
