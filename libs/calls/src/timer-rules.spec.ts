import { ManualClock } from '@app/common';
import { ResolvedSpec } from '@app/config';
import {
  answerDeadline,
  callTaskTimers,
  escalationRoundDue,
  orderTimers,
  reminderDue,
  reminderInterval,
  silentCallTimeline,
  strongestChannels,
} from './timer-rules';
import { compareVersions } from './version-rules';

const min = 60_000;
/** Red as in config/response-specs.default.json: SMS/email at once, voice at 3 and 6 min, answer in 10; tier 1 in 20. */
const red = {
  requiresAck: true,
  tiers: [
    {
      tier: 0,
      requiresAck: true,
      ackDeadlineMs: 10 * min,
      ladderMs: [
        { atMs: 0, channels: ['sms', 'email'] },
        { atMs: 3 * min, channels: ['voice'] },
        { atMs: 6 * min, channels: ['voice'] },
      ],
    },
    {
      tier: 1,
      requiresAck: true,
      ackDeadlineMs: 20 * min,
      ladderMs: [
        { atMs: 0, channels: ['sms'] },
        { atMs: 5 * min, channels: ['voice'] },
      ],
    },
  ],
} as unknown as Pick<ResolvedSpec, 'tiers' | 'requiresAck'>;

describe('timer rules (the README table)', () => {
  const clock = new ManualClock(new Date('2024-07-11T01:54:00+08:00'));

  it('gives a tier-0 red call a retry per later rung and an answer deadline, all from the start', () => {
    const checks = callTaskTimers(red, 0, 't1', 'call', clock.now());
    expect(checks.map((c) => [c.step, c.dueAt.toISOString()])).toEqual([
      [1, '2024-07-10T17:57:00.000Z'],
      [2, '2024-07-10T18:00:00.000Z'],
      ['deadline', '2024-07-10T18:04:00.000Z'],
    ]);
  });

  it('runs an escalated (tier 1) call on its own tier’s ladder and deadline, from the moment it was created', () => {
    clock.advance(10 * min);
    const checks = callTaskTimers(red, 1, 't2', 'call', clock.now());
    expect(checks.map((c) => [c.step, (c.dueAt.getTime() - clock.now().getTime()) / min])).toEqual([
      [1, 5],
      ['deadline', 20],
    ]);
    expect(answerDeadline(red, 1, clock.now())?.getTime()).toBe(clock.now().getTime() + 20 * min);
  });

  it('uses the last configured tier for deeper escalations', () => {
    expect(callTaskTimers(red, 5, 't3', 'call', clock.now()).map((c) => c.step)).toEqual([1, 'deadline']);
  });

  it('escalates an unreachable person at once and never waits on a notify-only message', () => {
    expect(callTaskTimers(red, 0, 't4', 'unreachable', clock.now())).toEqual([
      { callTaskId: 't4', step: 'deadline', dueAt: clock.now() },
    ]);
    expect(callTaskTimers(red, 0, 't5', 'notify_only', clock.now())).toEqual([]);
    const blue = { requiresAck: false, tiers: [{ ...red.tiers[0], requiresAck: false }] } as typeof red;
    expect(callTaskTimers(blue, 0, 't6', 'call', clock.now())).toEqual([]);
    expect(answerDeadline(blue, 0, clock.now())).toBeNull();
  });

  it('checks a 熔断 order target at its acknowledgment and its execution deadline', () => {
    const ackDeadlineAt = new Date(clock.now().getTime() + 15 * min);
    const executeDeadlineAt = new Date(clock.now().getTime() + 60 * min);
    expect(orderTimers({ ackDeadlineAt, executeDeadlineAt })).toEqual([
      { phase: 'ack', dueAt: ackDeadlineAt },
      { phase: 'execute', dueAt: executeDeadlineAt },
    ]);
  });
});

describe('a silent call through the whole chain (reminders, 督办 rounds, 电话叫应)', () => {
  const clock = new ManualClock(new Date('2024-07-11T01:54:00+08:00'));
  const start = clock.now();
  const minutes = (d: Date) => (d.getTime() - start.getTime()) / min;

  it('reminds every tier deadline on the strongest channel, or every configured interval', () => {
    expect(reminderInterval(red, 0)).toBe(10 * min);
    expect(strongestChannels(red, 0)).toEqual(['voice']);
    expect(strongestChannels(red, 1)).toEqual(['voice']);
    expect(minutes(reminderDue(red, 0, new Date(start.getTime() + 10 * min), 2))).toBe(30);
    const slower = { ...red, tiers: [{ ...red.tiers[0], reminderIntervalMs: 15 * min }, red.tiers[1]] } as typeof red;
    expect(reminderInterval(slower, 0)).toBe(15 * min);
    expect(reminderInterval(slower, 3)).toBe(20 * min);
  });

  it('takes the next escalation step after the deadline of the tier the last step reached', () => {
    expect(minutes(escalationRoundDue(red, 0, 1, new Date(start.getTime() + 10 * min)))).toBe(30);
    expect(minutes(escalationRoundDue(red, 0, 2, new Date(start.getTime() + 30 * min)))).toBe(50);
  });

  it('walks two hours of a red warning nobody answers: nothing goes quiet', () => {
    clock.advance(120 * min);
    const events = silentCallTimeline(red, 0, 3, start, clock.now());
    const at = (kind: string) => events.filter((e) => e.kind === kind).map((e) => minutes(e.at));
    expect(at('rung')).toEqual([0, 3, 6]);
    // 督办 to backup + 包干 superior at the deadline, the duty officer and the commander a tier deadline later each
    expect(
      events.filter((e) => e.kind === 'escalation_notice').map((e) => [minutes(e.at), 'step' in e ? e.step : null]),
    ).toEqual([
      [10, 0],
      [30, 1],
      [50, 2],
    ]);
    // the commander's round passes silent too: the duty desk phones the person
    expect(at('manual_call')).toEqual([70]);
    // and the person is called again every 10 minutes by voice, numbered, until the end
    expect(at('reminder')).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    expect(events.filter((e) => e.kind === 'reminder').map((e) => ('n' in e ? e.n : 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(
      events.filter((e) => e.kind === 'reminder').every((e) => 'channels' in e && e.channels.join() === 'voice'),
    ).toBe(true);
    // no gap longer than one reminder interval between two events after the first deadline
    const after = events.filter((e) => minutes(e.at) >= 10).map((e) => minutes(e.at));
    expect(Math.max(...after.slice(1).map((m, i) => m - after[i]))).toBeLessThanOrEqual(10);
  });

  it('sends nothing for a notify-only call', () => {
    const blue = { requiresAck: false, tiers: [{ ...red.tiers[0], requiresAck: false }] } as typeof red;
    expect(silentCallTimeline(blue, 0, 3, start, clock.now())).toEqual([]);
  });
});

describe('version rules', () => {
  it('calls a higher level again and keeps answers for anything else', () => {
    expect(compareVersions(undefined, 3)).toBe('first');
    expect(compareVersions(3, 2)).toBe('upgrade');
    expect(compareVersions(2, 1)).toBe('upgrade');
    expect(compareVersions(1, 2)).toBe('keep');
    expect(compareVersions(2, 2)).toBe('keep');
    expect(compareVersions(null, 4)).toBe('upgrade');
    expect(compareVersions(4, null)).toBe('keep');
  });
});
