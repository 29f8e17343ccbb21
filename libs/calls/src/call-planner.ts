import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ResolvedSpec, tierSpec } from '@app/config';
import type { CallReason } from '@app/database';
import { AttemptsRepository, CallTasksRepository } from '@app/database';
import type { CheckJob, SendJob } from '@app/queue';
import { hasChannelQueue } from '@app/queue';
import { VersionRules } from './version-rules';
import { answerDeadline, callTaskTimers, TaskStart } from './timer-rules';

export interface NewCallTask {
  personId: string;
  tier: number;
  reasons: CallReason[];
  escalationPath: string[][];
  escalatedFromTaskId?: string | null;
  /** No usable contact at all: escalate at once instead of waiting for silence. */
  unreachable?: boolean;
  /** Sent, never waited for (an update to someone who already answered, a lift notice). */
  notifyOnly?: boolean;
}

export interface PlannedWork {
  taskIds: Map<string, string>;
  sends: SendJob[];
  /** Timers, including the next escalation step of a call still silent after being escalated (see Escalator). */
  checks: CheckJob[];
  /** 督办 opened by escalations: each sent once its round has gathered (EscalationNotices.send). */
  escalationNotices?: string[];
}

/** The work of several plans as one: one enqueue, and timers due together become one job. */
export function mergeWork(works: PlannedWork[]): PlannedWork {
  return {
    taskIds: new Map(works.flatMap((w) => [...w.taskIds])),
    sends: works.flatMap((w) => w.sends),
    checks: works.flatMap((w) => w.checks),
    escalationNotices: works.flatMap((w) => w.escalationNotices ?? []),
  };
}

export interface PlanContext {
  warningId: string;
  dispatchId: string;
  level: number | null;
  spec: ResolvedSpec;
  now: Date;
  /** One county's chunk of a dispatch matched in chunks (people no longer matched are told after the last). */
  inChunks?: boolean;
}

const startOf = (t: NewCallTask): TaskStart => (t.notifyOnly ? 'notify_only' : t.unreachable ? 'unreachable' : 'call');

/**
 * Creates call tasks with their first-rung attempts, in the caller's transaction, and returns the jobs to
 * enqueue after commit: the sends, each later ladder rung and the answer deadline as delayed checks (timer-rules.ts).
 * The first tasks of a later version of a warning go through the chain rules first (version-rules.ts).
 */
@Injectable()
export class CallPlanner {
  constructor(
    private readonly versions: VersionRules,
    private readonly callTasks: CallTasksRepository,
    private readonly attempts: AttemptsRepository,
  ) {}

  async create(manager: EntityManager, ctx: PlanContext, requested: NewCallTask[]): Promise<PlannedWork> {
    const work: PlannedWork = { taskIds: new Map(), sends: [], checks: [] };
    const initial = requested.length > 0 && requested.every((t) => !t.escalatedFromTaskId && !t.notifyOnly);
    const tasks = initial ? await this.versions.apply(manager, ctx, requested) : requested;
    if (tasks.length === 0) {
      return work;
    }
    const { spec, now } = ctx;
    const requiresAck = (t: NewCallTask) => !t.notifyOnly && tierSpec(spec, t.tier).requiresAck;
    const rows = await this.callTasks.createMany(
      manager,
      { warningId: ctx.warningId, dispatchId: ctx.dispatchId, now },
      tasks.map((t) => ({
        personId: t.personId,
        tier: t.tier,
        reasons: t.reasons,
        state: t.unreachable ? 'unreachable' : 'pending',
        escalationPath: t.escalationPath,
        escalatedFromTaskId: t.escalatedFromTaskId ?? null,
        requiresAck: requiresAck(t),
        deadlineAt: requiresAck(t) ? answerDeadline(spec, t.tier, now) : null,
      })),
    );
    for (const row of rows) {
      work.taskIds.set(row.person_id, row.id);
    }
    // People who already had a task in this dispatch (a concurrent escalation got there first) keep theirs.
    const known = tasks.map((t) => t.personId).filter((id) => !work.taskIds.has(id));
    if (known.length > 0) {
      const existing = await manager.query<Array<{ id: string; person_id: string }>>(
        `SELECT id, person_id FROM call_tasks WHERE dispatch_id = $1 AND person_id = ANY($2::uuid[])`,
        [ctx.dispatchId, known],
      );
      existing.forEach((e) => work.taskIds.set(e.person_id, e.id));
      if (ctx.inChunks) {
        const reasons = new Map(tasks.map((t) => [t.personId, t.reasons]));
        await this.callTasks.addReasons(
          manager,
          ctx.dispatchId,
          known.map((personId) => ({ personId, reasons: reasons.get(personId) as CallReason[] })),
          now,
        );
      }
    }
    // Only the rows created here get messages and timers.
    const created = new Set(rows.map((r) => r.id));
    const byTier = new Map<number, string[]>();
    for (const t of tasks) {
      const id = work.taskIds.get(t.personId) as string;
      if (!created.has(id)) {
        continue;
      }
      work.checks.push(...callTaskTimers(spec, t.tier, id, requiresAck(t) ? startOf(t) : 'notify_only', now));
      if (!t.unreachable) {
        // Appended in place: copying the list per task was quadratic (minutes at a province's 200,000 calls).
        const ids = byTier.get(t.tier);
        if (ids) {
          ids.push(id);
        } else {
          byTier.set(t.tier, [id]);
        }
      }
    }
    for (const [tier, ids] of byTier) {
      // Not push(...sends): one argument per send overflows the stack past ~100,000.
      work.sends = work.sends.concat(
        await this.createAttempts(manager, ids, 0, tierSpec(spec, tier).ladderMs[0].channels, ctx.level),
      );
    }
    return work;
  }

  /** After the last chunk of a dispatch matched in chunks: people of the previous version no chunk matched are told. */
  async createLeftOut(manager: EntityManager, ctx: PlanContext): Promise<PlannedWork> {
    return this.create(manager, ctx, await this.versions.leftOut(manager, ctx));
  }

  /** One attempt per task per channel of the rung that has a working queue and a valid contact. */
  async createAttempts(
    manager: EntityManager,
    taskIds: string[],
    rung: number,
    channels: string[],
    level: number | null,
  ): Promise<SendJob[]> {
    const live = channels.filter(hasChannelQueue);
    if (taskIds.length === 0 || live.length === 0) {
      return [];
    }
    const rows = await this.attempts.createForCalls(manager, taskIds, rung, live);
    return rows.map((r) => ({ attemptId: r.id, channel: r.channel, level }));
  }
}
