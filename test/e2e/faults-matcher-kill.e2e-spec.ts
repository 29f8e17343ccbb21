import { waitFor } from '@app/common';
import { expectNothingLostNothingTwice, FaultRun } from '../support/fault-run';

const FENGDU = '500230';
const TONGLIANG = '500151';

/**
 * Fault: the matcher is killed with SIGKILL the moment its matching commits, while it is still putting the sends and
 * timers into Redis. PostgreSQL has the calls; the sweep finds what has no job. What must hold: every SMS due reaches
 * the carrier once, and the person with no contact is escalated at once (seconds), not at the 10-minute deadline.
 */
describe('fault: matcher killed right after its commit', () => {
  const run = new FaultRun('matcher');

  beforeAll(() => run.start({}), 120_000);
  afterAll(() => run.stop());

  it('sends every SMS once and escalates the unreachable at once when the matcher dies before enqueueing', async () => {
    const warningId = await run.warn(`FAULT-MATCHER-${Date.now()}`, FENGDU, '丰都县全境');
    // The commit is seen here before the matcher has finished adding 1,600 sends, then its timers.
    await waitFor(
      async () =>
        (await run.count(`SELECT count(*)::int AS n FROM warnings WHERE id = $1 AND state = 'tracking'`, [
          warningId,
        ])) === 1,
      { what: 'matching committed', timeoutMs: 60_000, intervalMs: 2 },
    );
    await run.apps.kill('matcher');
    const atCarrierAtKill = await run.smsAtCarrier();
    run.apps.start('matcher');

    const unreachable = await run.ds.query<Array<{ id: string; created_at: Date }>>(
      `SELECT id, created_at FROM call_tasks WHERE warning_id = $1 AND state = 'unreachable' OR (warning_id = $1 AND id IN
         (SELECT call_task_id FROM events WHERE warning_id = $1 AND type = 'CallEscalated' AND data->>'reason' = 'unreachable'))`,
      [warningId],
    );
    expect(unreachable.length).toBeGreaterThan(0);
    const escalated = await waitFor(
      async () => {
        const rows = await run.ds.query<Array<{ id: string; at: Date }>>(
          `SELECT e.call_task_id AS id, min(e.at) AS at FROM events e WHERE e.type = 'CallEscalated' AND e.call_task_id = ANY($1::uuid[]) GROUP BY e.call_task_id`,
          [unreachable.map((u) => u.id)],
        );
        return rows.length === unreachable.length ? rows : null;
      },
      { what: 'the people without a contact escalated', timeoutMs: 60_000, intervalMs: 250 },
    );
    const created = new Map(unreachable.map((u) => [u.id, u.created_at.getTime()]));
    const lateS = Math.max(...escalated.map((e) => (e.at.getTime() - (created.get(e.id) as number)) / 1000));
    await run.settled(warningId);

    const f = await run.figures(warningId);
    run.report(
      'matcher kill',
      f,
      `${atCarrierAtKill} SMS at the carrier at the kill; ${unreachable.length} without a contact escalated ${lateS.toFixed(1)} s after matching (deadline 600 s)`,
    );
    expectNothingLostNothingTwice(f);
    // At once: seconds after the matching, by the sweep's timer grace, not at the answer deadline.
    expect(lateS).toBeLessThan(60);
  }, 420_000);

  it('finishes a two-county warning whose matcher died between counties, every SMS once and one call per person', async () => {
    const warningId = await run.warn(`FAULT-MATCHER-COUNTIES-${Date.now()}`, [TONGLIANG, FENGDU], '铜梁区、丰都县全境');
    const chunks = () =>
      run.ds.query<Array<{ done: boolean }>>(
        `SELECT c.done_at IS NOT NULL AS done FROM match_chunks c JOIN dispatches d ON d.id = c.dispatch_id
         WHERE d.warning_id = $1`,
        [warningId],
      );
    // Killed as soon as the first county has committed, while the other is still being matched.
    await waitFor(async () => (await chunks()).some((c) => c.done), {
      what: 'the first county matched',
      timeoutMs: 120_000,
      intervalMs: 2,
    });
    await run.apps.kill('matcher');
    const open = (await chunks()).filter((c) => !c.done).length;
    run.apps.start('matcher');

    // The restarted matcher retries the chunk it held once its lock expires; the sweep adds any job lost with it.
    await waitFor(async () => ((await chunks()).every((c) => c.done) ? true : null), {
      what: 'every county matched',
      timeoutMs: 180_000,
      intervalMs: 250,
    });
    await run.settled(warningId);
    const [calls] = await run.ds.query<Array<{ calls: number; people: number }>>(
      `SELECT count(*)::int AS calls, count(DISTINCT person_id)::int AS people FROM call_tasks
       WHERE warning_id = $1 AND escalated_from_task_id IS NULL`,
      [warningId],
    );
    const f = await run.figures(warningId);
    run.report(
      'matcher kill between counties',
      f,
      `${open} of 2 counties still open at the kill; ${calls.calls} calls`,
    );
    expect(calls.calls).toBe(calls.people);
    expectNothingLostNothingTwice(f);
  }, 420_000);
});
