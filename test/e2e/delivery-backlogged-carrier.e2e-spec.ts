import request from 'supertest';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import type { Simulators } from '@app/simulators';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { capTime, issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

const SHIZHI = '500230107';
/** The carrier takes each SMS this long after it arrives: long after our timeout, and after a quick retry. */
const TAKE_MS = 6_000;

/**
 * A backlogged carrier: each SMS is taken seconds after it arrives, so every send times out on our side and is taken
 * by the carrier later anyway, and the query API does not know it until then. A send that got no answer must not be
 * sent again before the carrier can say whether it took it: calls' SMS, notices by SMS (an order's) and area SMS to
 * residents alike.
 */
describe('a carrier that takes SMS after our timeout', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: 'e2e-backlogged-carrier-secret-0123456789',
      // Deadlines and later rungs far away; claims stale after 8 s (lease 3 s + timeout 1 s + the carrier's backlog).
      env: {
        TIMER_SCALE: '1',
        PROVIDER_TIMEOUT_MS: '1000',
        CLAIM_LEASE_MS: '3000',
        SWEEP_STALE_MS: '8000',
        BREAKER_OPEN_MS: '2000',
      },
    });
    sims = env.sims;
    await resetQuietly(env.p.ds);
    await seedDemo(env.p.ds);
  });

  afterAll(async () => {
    sims.network.setTakeDelay('alibaba', 0);
    sims.network.setTakeDelay('tencent', 0);
    await env.stop();
  });

  it('sends no SMS twice when the carrier takes them after the timeout, and loses none', async () => {
    const { p } = env;
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    const duty = await issueKey(p.ds, 'backlog-duty', 'duty_officer', '500230');
    sims.network.clear();
    sims.network.setTakeDelay('alibaba', TAKE_MS);
    sims.network.setTakeDelay('tencent', TAKE_MS);
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'BACKLOG-RED',
      sent: capTime(-60_000),
      geocode: SHIZHI,
      areaDesc: '十直镇',
    });
    await waitMatched(p.ds, warningId);
    // An order to three of the people called: its notices go by SMS (and email).
    const targets = (await tasksOf(p.ds, warningId))
      .slice(0, 3)
      .map((t) => ({ personId: t.person_id, unitName: '十直镇执行单位' }));
    await request(p.server)
      .post('/api/v1/orders')
      .set('authorization', `Bearer ${duty}`)
      .send({
        warningId,
        measure: 'road_closure',
        title: '封闭十直镇沿河道路',
        instruction: '设置路障',
        regionCode: '500230',
        ackDeadlineMin: 60,
        executeDeadlineMin: 120,
        targets,
      })
      .expect(201);
    const noticesSms = (statuses: string[], extra = 'true') =>
      p.ds
        .query<
          Array<{ n: number }>
        >(`SELECT count(*)::int AS n FROM notices n WHERE n.channel = 'sms' AND n.status = ANY($1::varchar[]) AND ${extra}`, [statuses])
        .then((r) => r[0].n);
    const areaSms = (statuses: string[], extra = 'true') =>
      p.ds
        .query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id
         WHERE n.warning_id = $1 AND b.status = ANY($2::varchar[]) AND ${extra}`,
          [warningId, statuses],
        )
        .then((r) => r[0].n);
    const sms = (statuses: string[], extra = 'true') =>
      p.ds
        .query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status = ANY($2::varchar[]) AND ${extra}`,
          [warningId, statuses],
        )
        .then((r) => r[0].n);
    // Sends have timed out on our side; the carrier is still to take them. Then its backlog clears.
    await waitFor(async () => (await sms(['queued', 'sending'], `a.error LIKE 'Timeout%'`)) >= 3, {
      what: 'sends timed out',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    await waitFor(async () => (await noticesSms(['queued', 'sending'], `n.error LIKE 'Timeout%'`)) >= 1, {
      what: 'a notice timed out',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    await waitFor(async () => (await areaSms(['queued', 'sending'], `b.error LIKE 'Timeout%'`)) >= 1, {
      what: 'area SMS timed out',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    sims.network.setTakeDelay('alibaba', 0);
    sims.network.setTakeDelay('tencent', 0);
    await waitFor(
      async () =>
        (await sms(['queued', 'sending'])) +
          (await noticesSms(['queued', 'sending'])) +
          (await areaSms(['queued', 'sending'])) ===
        0,
      {
        what: 'every SMS settled',
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );

    const keys = (
      await p.ds.query<Array<{ k: string }>>(
        `SELECT a.idempotency_key AS k FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
       WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status <> 'failed'
       UNION ALL SELECT 'notice-' || id FROM notices WHERE channel = 'sms' AND status <> 'failed'
       UNION ALL SELECT 'psms-' || b.id FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id WHERE n.warning_id = $1 AND b.status <> 'failed'`,
        [warningId],
      )
    ).map((r) => r.k);
    // The carrier takes what was still in its backlog when we stopped waiting: count only once all of it is in.
    await waitFor(() => keys.every((k) => sims.network.messages().some((m) => m.outId === k)), {
      what: 'every SMS at the carrier',
      timeoutMs: 30_000,
    });
    // Per key and number: an area SMS batch carries one key to many numbers.
    const perKeyAndPhone = new Map<string, number>();
    for (const m of sims.network.messages()) {
      perKeyAndPhone.set(`${m.outId} ${m.to}`, (perKeyAndPhone.get(`${m.outId} ${m.to}`) ?? 0) + 1);
    }
    const twice = [...perKeyAndPhone].filter(([k, n]) => n > 1 && keys.includes(k.split(' ')[0])).map(([k]) => k);
    const reconciled = await sms(['accepted', 'delivered'], `a.tries > 1`);
    const noticesLookedUp = await noticesSms(['sent', 'delivered'], `n.tries > 1`);
    const batchesLookedUp = await areaSms(['accepted'], `b.tries > 1`);
    process.stdout.write(
      `backlogged carrier: ${keys.length} SMS keys due (calls, notices, area batches), looked up after a timeout: ${reconciled} calls, ` +
        `${noticesLookedUp} notices, ${batchesLookedUp} area batches; ${twice.length} twice\n`,
    );
    expect(keys.filter((k) => k.startsWith('notice-')).length).toBeGreaterThanOrEqual(3);
    expect(keys.filter((k) => k.startsWith('psms-')).length).toBeGreaterThanOrEqual(1);
    expect(reconciled).toBeGreaterThanOrEqual(3);
    expect(noticesLookedUp).toBeGreaterThanOrEqual(1);
    expect(batchesLookedUp).toBeGreaterThanOrEqual(1);
    expect(twice).toEqual([]);
  }, 240_000);
});
