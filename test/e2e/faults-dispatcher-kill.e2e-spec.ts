import { waitFor } from '@app/common';
import { expectNothingLostNothingTwice, FaultRun } from '../support/fault-run';

const FENGDU = '500230';

/**
 * Fault: the dispatcher is killed with SIGKILL in the middle of a county-wide fan-out and started again. Every app
 * runs as its own process from the build, talking to the carrier simulator over HTTP. What a crash may cost: no SMS
 * twice (an SMS claimed again is looked up at the carrier first), no message lost. SMTP cannot be asked: an email
 * goes twice only if an earlier claim had reached the final "." of DATA (its hand-over mark, counted).
 */
describe('fault: dispatcher killed mid fan-out', () => {
  // No later rung or deadline during the test (TIMER_SCALE 1): only the first SMS and email of each call.
  const run = new FaultRun('dispatcher');

  beforeAll(() => run.start({}), 120_000);
  afterAll(() => run.stop());

  it('sends no SMS twice, no email twice without a hand-over mark, and loses none when the dispatcher is killed and restarted', async () => {
    const warningId = await run.warn(`FAULT-KILL-${Date.now()}`, FENGDU, '丰都县全境');
    await waitFor(async () => (await run.smsAtCarrier()) >= 200, {
      what: 'fan-out under way',
      timeoutMs: 90_000,
      intervalMs: 50,
    });
    const sendingAtKill = await run.attempts(warningId, ['sending']);
    await run.apps.kill('dispatcher');
    const sentAtKill = await run.smsAtCarrier();
    run.apps.start('dispatcher');
    await run.settled(warningId);

    const f = await run.figures(warningId);
    run.report('dispatcher kill', f, `${sentAtKill} SMS out and ${sendingAtKill} attempts in flight at the kill`);
    expectNothingLostNothingTwice(f);
    // Every attempt is settled as sent or failed for a reason.
    expect(await run.attempts(warningId, ['queued', 'sending'])).toBe(0);
  }, 420_000);
});
