import { waitFor } from '@app/common';
import { freePort } from '@app/testing';
import { expectNothingLostNothingTwice, FaultRun } from '../support/fault-run';
import { OwnPostgres } from '../support/own-services';

const FENGDU = '500230';

/**
 * Fault: PostgreSQL (a cluster of the test's own) is stopped with `-m immediate` mid fan-out of a county-wide warning
 * and started again 3 s later. Senders lose their connections between a provider's answer and the record of it.
 * What must hold: at most one SMS twice per 10,000, an email twice only after its hand-over mark, none lost, and the
 * apps answer again within 2 s of its return.
 */
describe('fault: PostgreSQL restarted mid fan-out', () => {
  let pg: OwnPostgres;
  const run = new FaultRun('postgres');

  beforeAll(async () => {
    pg = new OwnPostgres(await freePort());
    await pg.init();
    await run.start({}, pg.url);
  }, 180_000);
  afterAll(async () => {
    await run.stop();
    pg?.destroy();
  });

  it('sends no SMS twice and loses none, and is healthy within 2 s, when PostgreSQL restarts mid fan-out', async () => {
    const warningId = await run.warn(`FAULT-PG-${Date.now()}`, FENGDU, '丰都县全境');
    await waitFor(async () => (await run.smsAtCarrier()) >= 200, {
      what: 'fan-out under way',
      timeoutMs: 90_000,
      intervalMs: 50,
    });
    pg.stopImmediate();
    const sentAtStop = await run.smsAtCarrier();
    // The fault: PostgreSQL stays away 3 s.
    await new Promise((r) => setTimeout(r, 3000));
    pg.start();
    const backAt = Date.now();
    await run.healthy(30_000);
    const healthyMs = Date.now() - backAt;
    await run.settled(warningId);

    const f = await run.figures(warningId);
    run.report(
      'postgres restart',
      f,
      `${sentAtStop} SMS out at the stop; API healthy ${healthyMs} ms after PostgreSQL was back`,
    );
    expectNothingLostNothingTwice(f);
    expect(healthyMs).toBeLessThan(2000);
  }, 420_000);
});
