import { ManualClock } from '@app/common';
import { ResolvedSpec } from '@app/config';
import { answerDeadline, callTaskTimers, orderTimers } from './timer-rules';
import { compareVersions } from './version-rules';

const min = 60_000;
/** Red as in config/response-specs.default.json: SMS/email at once, voice at 3 and 6 min, answer in 10; tier 1 in 20. */
const red = {
  requiresAck: true,
  tiers: [
    { tier: 0, requiresAck: true, ackDeadlineMs: 10 * min, ladderMs: [{ atMs: 0, channels: ['sms', 'email'] }, { atMs: 3 * min, channels: ['voice'] }, { atMs: 6 * min, channels: ['voice'] }] },
    { tier: 1, requiresAck: true, ackDeadlineMs: 20 * min, ladderMs: [{ atMs: 0, channels: ['sms'] }, { atMs: 5 * min, channels: ['voice'] }] },
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
    expect(checks.map((c) => [c.step, (c.dueAt.getTime() - clock.now().getTime()) / min])).toEqual([[1, 5], ['deadline', 20]]);
    expect(answerDeadline(red, 1, clock.now())?.getTime()).toBe(clock.now().getTime() + 20 * min);
  });

  it('uses the last configured tier for deeper escalations', () => {
    expect(callTaskTimers(red, 5, 't3', 'call', clock.now()).map((c) => c.step)).toEqual([1, 'deadline']);
  });

  it('escalates an unreachable person at once and never waits on a notify-only message', () => {
    expect(callTaskTimers(red, 0, 't4', 'unreachable', clock.now())).toEqual([{ callTaskId: 't4', step: 'deadline', dueAt: clock.now() }]);
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
