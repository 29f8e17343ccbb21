import { ResolvedSpec, tierSpec } from '@app/config';
import type { CheckJob } from '@app/queue';

/** How a call task starts: a normal call, a call to someone with no usable contact, or a notify-only message. */
export type TaskStart = 'call' | 'unreachable' | 'notify_only';

/**
 * Every timer a new call task gets, from the dispatch's frozen spec (the tier's ladder and deadline) and the
 * moment the task was created. Pure: the README's timer table is this function.
 *
 * - call: one check per later ladder rung (retry on the next channel) and one at the answer deadline (escalate);
 * - unreachable: a deadline check due at once (escalate at once);
 * - notify_only: nothing (sent, never waited for).
 */
export function callTaskTimers(
  spec: Pick<ResolvedSpec, 'tiers' | 'requiresAck'>,
  tier: number,
  callTaskId: string,
  start: TaskStart,
  now: Date,
): CheckJob[] {
  const t = tierSpec(spec, tier);
  if (start === 'notify_only' || !t.requiresAck) {
    return [];
  }
  if (start === 'unreachable') {
    return [{ callTaskId, step: 'deadline', dueAt: now }];
  }
  const at = (ms: number) => new Date(now.getTime() + ms);
  return [
    ...t.ladderMs.slice(1).map((rung, i) => ({ callTaskId, step: i + 1, dueAt: at(rung.atMs) })),
    { callTaskId, step: 'deadline' as const, dueAt: at(t.ackDeadlineMs) },
  ];
}

/** The answer deadline of a task of this tier created now, or null when nobody waits for an answer. */
export function answerDeadline(
  spec: Pick<ResolvedSpec, 'tiers' | 'requiresAck'>,
  tier: number,
  now: Date,
): Date | null {
  const t = tierSpec(spec, tier);
  return t.requiresAck ? new Date(now.getTime() + t.ackDeadlineMs) : null;
}

/** 熔断 order targets: a check at the acknowledgment deadline and one at the execution deadline. */
export function orderTimers(order: {
  ackDeadlineAt: Date;
  executeDeadlineAt: Date;
}): Array<{ phase: 'ack' | 'execute'; dueAt: Date }> {
  return [
    { phase: 'ack', dueAt: order.ackDeadlineAt },
    { phase: 'execute', dueAt: order.executeDeadlineAt },
  ];
}

/** A call's reminders are numbered on the attempts as rungs from here on (第1次提醒 = REMINDER_RUNG_BASE + 1). */
export const REMINDER_RUNG_BASE = 100;

type TimingSpec = Pick<ResolvedSpec, 'tiers'>;

/** How often a silent call of this tier is made again after its deadline: the tier's own interval, else its deadline. */
export function reminderInterval(spec: TimingSpec, tier: number): number {
  const t = tierSpec(spec, tier);
  return t.reminderIntervalMs ?? t.ackDeadlineMs;
}

/** The channels of the tier's last ladder rung, the strongest it has (voice for red and orange). */
export function strongestChannels(spec: TimingSpec, tier: number): string[] {
  const ladder = tierSpec(spec, tier).ladderMs;
  return ladder[ladder.length - 1].channels;
}

/** The n-th reminder of a call overdue since `overdueSince` (n ≥ 1): one interval after the one before. */
export function reminderDue(spec: TimingSpec, tier: number, overdueSince: Date, n: number): Date {
  return new Date(overdueSince.getTime() + n * reminderInterval(spec, tier));
}

/**
 * When a call escalated to step `nextStep - 1` of its path is looked at again: after the deadline of the tier that
 * step reached. One check past the last step (the top of the path) turns whoever is still silent into 电话叫应.
 */
export function escalationRoundDue(spec: TimingSpec, tier: number, nextStep: number, now: Date): Date {
  return new Date(now.getTime() + tierSpec(spec, tier + nextStep).ackDeadlineMs);
}

export type ChainEvent =
  | { at: Date; kind: 'rung'; rung: number; channels: string[] }
  | { at: Date; kind: 'escalation_notice'; step: number }
  | { at: Date; kind: 'manual_call' }
  | { at: Date; kind: 'reminder'; n: number; channels: string[] };

/**
 * What a call nobody answers goes through until `until`, from these same rules: its ladder, the 督办 to each step of
 * its path at each round's deadline, the 电话叫应 item once the top stayed silent, and a reminder every interval
 * from its first deadline on. The README's timer table walks this; the escalator and deadline checks follow it.
 */
export function silentCallTimeline(
  spec: Pick<ResolvedSpec, 'tiers' | 'requiresAck'>,
  tier: number,
  pathSteps: number,
  start: Date,
  until: Date,
): ChainEvent[] {
  const events: ChainEvent[] = [];
  const timers = callTaskTimers(spec, tier, 'silent', 'call', start);
  if (timers.length === 0) {
    return events;
  }
  const ladder = tierSpec(spec, tier).ladderMs;
  events.push({ at: start, kind: 'rung', rung: 0, channels: ladder[0].channels });
  for (const t of timers) {
    if (typeof t.step === 'number') {
      events.push({ at: t.dueAt, kind: 'rung', rung: t.step, channels: ladder[t.step].channels });
    }
  }
  const overdueSince = timers[timers.length - 1].dueAt;
  let at = overdueSince;
  for (let step = 0; step <= pathSteps && at <= until; step++) {
    events.push(step < pathSteps ? { at, kind: 'escalation_notice', step } : { at, kind: 'manual_call' });
    at = escalationRoundDue(spec, tier, step + 1, at);
  }
  for (let n = 1; reminderDue(spec, tier, overdueSince, n) <= until; n++) {
    events.push({
      at: reminderDue(spec, tier, overdueSince, n),
      kind: 'reminder',
      n,
      channels: strongestChannels(spec, tier),
    });
  }
  return events.filter((e) => e.at <= until).sort((a, b) => a.at.getTime() - b.at.getTime());
}
