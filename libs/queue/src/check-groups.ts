/** A call task's timer: a later ladder rung, the answer deadline (or next escalation round), or its next reminder. */
export type CheckStep = number | 'deadline' | 'reminder';

export interface CheckJob {
  callTaskId: string;
  step: CheckStep;
  dueAt: Date;
}

export interface CheckGroup {
  step: CheckStep;
  dueAt: Date;
  callTaskIds: string[];
}

/** How many call tasks one deadline job checks: few jobs to fetch when a dispatch's timers fall due together. */
export const CHECKS_PER_JOB = 50;

/**
 * Timers of the same step falling due at the same moment (the tasks of one planning share it) become one job
 * per CHECKS_PER_JOB tasks: 200 silent people are 4 jobs to fetch from Redis, not 200. Ids sorted and unique,
 * so the same timers always make the same groups (and the same job ids).
 */
export function groupChecks(checks: CheckJob[], size = CHECKS_PER_JOB): CheckGroup[] {
  const byDue = new Map<string, { step: CheckStep; dueAt: Date; ids: Set<string> }>();
  for (const c of checks) {
    const key = `${c.step}|${c.dueAt.getTime()}`;
    const group = byDue.get(key) ?? { step: c.step, dueAt: c.dueAt, ids: new Set<string>() };
    group.ids.add(c.callTaskId);
    byDue.set(key, group);
  }
  const groups: CheckGroup[] = [];
  for (const { step, dueAt, ids } of byDue.values()) {
    const sorted = [...ids].sort();
    for (let i = 0; i < sorted.length; i += size) {
      groups.push({ step, dueAt, callTaskIds: sorted.slice(i, i + size) });
    }
  }
  return groups.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
