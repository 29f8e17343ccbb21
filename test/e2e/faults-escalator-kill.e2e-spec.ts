import { waitFor } from '@app/common';
import { specFile } from '@app/testing';
import { expectNothingLostNothingTwice, FaultRun } from '../support/fault-run';

/** 十直镇: a few hundred silent calls, each escalated twice. */
const SHIZHI = '500230107';
/** Every tier answers within this; nobody answers here, so each round of escalation comes one deadline after the last. */
const DEADLINE_S = 20;
/**
 * How late an escalation may fire after its time, or after the escalator is back if it fell due while it was down.
 * On a loaded machine a round of ninety escalations takes tens of seconds; a lost timer would wait for the sweep's
 * fallback, SWEEP_STALE_MS (90 s here), so the bound tells a restored timer from a lost one either way. (The first
 * SMS of people newly called by a check the kill cut short are also lost with it: they go out after SWEEP_STALE_MS.)
 */
const SECONDS_LATE = 60;

/** A tier-0 call and its rounds: when each happened and whether it went up a step (or found nobody left). */
interface Escalation {
  id: string;
  created: Date;
  rounds: Date[];
  kinds: string[];
}

/**
 * Fault: the escalator is killed with SIGKILL while the first answer deadlines of a red warning over a town fall due
 * (nobody answers), and started again 3 s later. A check it was running is cut between its commits and the enqueue
 * of the next rounds' timers. What must hold: every silent call escalates, those due while it was down within
 * seconds of its return, and every second round (a timer planned by the first) fires within seconds of its time.
 */
describe('fault: escalator killed as deadlines fall due', () => {
  const run = new FaultRun('escalator');
  let restartedAt = 0;

  beforeAll(
    () =>
      run.start({
        // SMS only, every tier's deadline DEADLINE_S, reminders out of the way.
        RESPONSE_SPEC_FILE: specFile((levels) => {
          levels.red.ladder = [{ atMin: 0, channels: ['sms'] }];
          levels.red.tiers.forEach((t) =>
            Object.assign(t, { ackDeadlineMin: DEADLINE_S / 60, reminderIntervalMin: 60 }),
          );
        }, 'fault'),
        ESCALATION_GATHER_MS: '500',
        SWEEP_STALE_MS: '90000',
      }),
    120_000,
  );
  afterAll(() => run.stop());

  /** Tier-0 calls of the warning and when each round of their escalation happened (escalated or exhausted). */
  const escalations = async (warningId: string): Promise<Escalation[]> =>
    run.ds.query<Escalation[]>(
      `SELECT t.id, t.created_at AS created,
              coalesce(array_agg(e.at ORDER BY e.id) FILTER (WHERE e.id IS NOT NULL), '{}') AS rounds,
              coalesce(array_agg(e.type ORDER BY e.id) FILTER (WHERE e.id IS NOT NULL), '{}') AS kinds
       FROM call_tasks t LEFT JOIN events e ON e.call_task_id = t.id AND e.type IN ('CallEscalated', 'EscalationExhausted')
       WHERE t.warning_id = $1 AND t.tier = 0 AND t.requires_ack GROUP BY t.id`,
      [warningId],
    );

  it('fires every escalation and every next round within seconds when the escalator is killed and restarted', async () => {
    const warningId = await run.warn(`FAULT-ESCALATOR-${Date.now()}`, SHIZHI, '十直镇');
    // Killed once twenty silent calls have escalated (not at the at-once escalation of someone without a contact).
    await waitFor(
      async () =>
        (await run.count(
          `SELECT count(*)::int AS n FROM events WHERE warning_id = $1 AND type = 'CallEscalated' AND data->>'reason' = 'no_ack'`,
          [warningId],
        )) >= 20,
      { what: 'answer deadlines falling due', timeoutMs: 120_000, intervalMs: 20 },
    );
    await run.apps.kill('escalator');
    const killedAt = Date.now();
    // The fault: the escalator stays away 3 s while deadlines keep falling due.
    await new Promise((r) => setTimeout(r, 3000));
    run.apps.start('escalator');
    restartedAt = Date.now();

    // Round 1 for every silent call; round 2 for those whose first round had someone to escalate to.
    const done = await waitFor(
      async () => {
        const rows = await escalations(warningId);
        const firstDone = rows.every((r) => r.rounds.length >= 1);
        const secondDue = rows.filter((r) => r.kinds[0] === 'CallEscalated');
        return firstDone && secondDue.length > 0 && secondDue.every((r) => r.rounds.length >= 2) ? rows : null;
      },
      { what: 'two rounds of escalation', timeoutMs: 180_000, intervalMs: 500 },
    );
    const exhaustedAtOnce = await run.count(
      `SELECT count(*)::int AS n FROM events WHERE warning_id = $1 AND type = 'EscalationExhausted'`,
      [warningId],
    );
    await run.settled(warningId);

    const first = done.map((r) => ({ due: r.created.getTime() + DEADLINE_S * 1000, at: r.rounds[0].getTime() }));
    const second = done
      .filter((r) => r.rounds.length >= 2)
      .map((r) => ({ due: r.rounds[0].getTime() + DEADLINE_S * 1000, at: r.rounds[1].getTime() }));
    // Late: more than SECONDS_LATE after its time or, when it fired after the kill, after the escalator was back.
    const late = (xs: Array<{ due: number; at: number }>) =>
      xs.filter((x) => x.at - (x.at > killedAt ? Math.max(x.due, restartedAt) : x.due) > SECONDS_LATE * 1000).length;
    const maxLateS = (xs: Array<{ due: number; at: number }>) => Math.max(0, ...xs.map((x) => (x.at - x.due) / 1000));
    const f = await run.figures(warningId);
    run.report(
      'escalator kill',
      f,
      `${first.length} first rounds (max ${maxLateS(first).toFixed(1)} s after due, ${late(first)} late), ` +
        `${second.length} second rounds (max ${maxLateS(second).toFixed(1)} s after due, ${late(second)} late), ` +
        `escalator down ${((restartedAt - killedAt) / 1000).toFixed(1)} s; ${exhaustedAtOnce} exhausted`,
    );
    expectNothingLostNothingTwice(f);
    expect(second.length).toBeGreaterThan(0);
    expect(late(first)).toBe(0);
    expect(late(second)).toBe(0);
  }, 360_000);
});
