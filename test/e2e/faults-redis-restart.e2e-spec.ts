import { waitFor } from '@app/common';
import { freePort } from '@app/testing';
import { expectNothingLostNothingTwice, FaultRun } from '../support/fault-run';
import { OwnRedis } from '../support/own-services';

const FENGDU = '500230';
/** 铜梁区西河镇: the warning that arrives while Redis is away. */
const XIHE = '500151122';

/**
 * Fault: Redis (the test's own) is stopped mid fan-out of a county-wide warning, a second warning arrives while it
 * is away, and Redis comes back 5 s later. What must hold: the API answers the second warning within 1 s (202, its
 * work enqueued once Redis is back, or 503 at once), never hangs; the apps are healthy again within 2 s of Redis's
 * return; both warnings reach every person once.
 */
describe('fault: Redis restarted mid fan-out', () => {
  let redis: OwnRedis;
  const run = new FaultRun('redis');

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    await run.start({ REDIS_URL: redis.url });
  }, 120_000);
  afterAll(async () => {
    await redis?.start().catch(() => undefined); // for the queues to be emptied
    await run.stop();
    await redis?.destroy();
  });

  it('answers within a second while Redis is away, is healthy within 2 s of its return, and loses nothing', async () => {
    const first = await run.warn(`FAULT-REDIS-A-${Date.now()}`, FENGDU, '丰都县全境');
    await waitFor(async () => (await run.smsAtCarrier()) >= 200, {
      what: 'fan-out under way',
      timeoutMs: 90_000,
      intervalMs: 50,
    });
    await redis.stop();
    const stoppedAt = Date.now();

    const asked = Date.now();
    const res = await run.postAlert(`FAULT-REDIS-B-${Date.now()}`, XIHE, '西河镇', AbortSignal.timeout(10_000));
    const answerMs = Date.now() - asked;
    const body = (await res.json()) as { id?: string };
    // The fault: Redis stays away 5 s from its stop.
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 5000 - Date.now())));
    await redis.start();
    const backAt = Date.now();
    await run.healthy(30_000);
    const healthyMs = Date.now() - backAt;

    const warnings = [first, ...(res.status === 202 && body.id ? [body.id] : [])];
    for (const id of warnings) {
      await waitFor(
        async () =>
          (await run.count(`SELECT count(*)::int AS n FROM warnings WHERE id = $1 AND state = 'tracking'`, [id])) === 1,
        { what: 'warning matched', timeoutMs: 90_000, intervalMs: 250 },
      );
      await run.settled(id);
    }
    const figures = await Promise.all(warnings.map((id) => run.figures(id)));
    figures.forEach((f, i) =>
      run.report(
        `redis restart, warning ${i === 0 ? 'in fan-out' : 'posted while away'}`,
        f,
        i === 0
          ? `POST while Redis away: HTTP ${res.status} in ${answerMs} ms; API healthy ${healthyMs} ms after Redis was back`
          : '',
      ),
    );
    expect([202, 503]).toContain(res.status);
    expect(answerMs).toBeLessThan(1000);
    expect(healthyMs).toBeLessThan(2000);
    figures.forEach(expectNothingLostNothingTwice);
  }, 480_000);
});
