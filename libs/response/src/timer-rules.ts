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
export function answerDeadline(spec: Pick<ResolvedSpec, 'tiers' | 'requiresAck'>, tier: number, now: Date): Date | null {
  const t = tierSpec(spec, tier);
  return t.requiresAck ? new Date(now.getTime() + t.ackDeadlineMs) : null;
}

/** 熔断 order targets: a check at the acknowledgment deadline and one at the execution deadline. */
export function orderTimers(order: { ackDeadlineAt: Date; executeDeadlineAt: Date }): Array<{ phase: 'ack' | 'execute'; dueAt: Date }> {
  return [
    { phase: 'ack', dueAt: order.ackDeadlineAt },
    { phase: 'execute', dueAt: order.executeDeadlineAt },
  ];
}
