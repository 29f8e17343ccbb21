import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import type { CheckJob, SendJob } from '@app/queue';
import { hasChannelQueue } from '@app/queue';

export interface NewCallTask {
  personId: string;
  tier: number;
  reasons: CallReason[];
  escalationPath: string[][];
  escalatedFromTaskId?: string | null;
  /** No usable contact at all: escalate at once instead of waiting for silence. */
  unreachable?: boolean;
}

export interface PlannedWork {
  taskIds: Map<string, string>;
  sends: SendJob[];
  checks: CheckJob[];
}

/**
 * Creates call tasks with their first-rung attempts, in the caller's transaction, and returns the jobs to
 * enqueue after commit: the sends, each later ladder rung and the answer deadline as delayed checks.
 */
@Injectable()
export class CallPlanner {
  async create(
    manager: EntityManager,
    ctx: { warningId: string; dispatchId: string; level: number | null; spec: ResolvedSpec; now: Date },
    tasks: NewCallTask[],
  ): Promise<PlannedWork> {
    const work: PlannedWork = { taskIds: new Map(), sends: [], checks: [] };
    if (tasks.length === 0) {
      return work;
    }
    const { spec, now } = ctx;
    const deadline = spec.requiresAck ? new Date(now.getTime() + spec.ackDeadlineMs) : null;
    const rows = await manager.query<Array<{ id: string; person_id: string; state: string }>>(
      `INSERT INTO call_tasks (warning_id, dispatch_id, person_id, tier, reasons, state, requires_ack, deadline_at,
                               next_rung, escalation_path, escalated_from_task_id, created_at, updated_at)
       SELECT $1, $2, t.person_id, t.tier, t.reasons, t.state, $3, $4, 1, t.path, t.from_id, $5, $5
       FROM unnest($6::uuid[], $7::smallint[], $8::jsonb[], $9::varchar[], $10::jsonb[], $11::uuid[])
         AS t(person_id, tier, reasons, state, path, from_id)
       ON CONFLICT (dispatch_id, person_id) DO NOTHING
       RETURNING id, person_id, state`,
      [
        ctx.warningId,
        ctx.dispatchId,
        spec.requiresAck,
        deadline,
        now,
        tasks.map((t) => t.personId),
        tasks.map((t) => t.tier),
        tasks.map((t) => JSON.stringify(t.reasons)),
        tasks.map((t) => (t.unreachable ? 'unreachable' : 'pending')),
        tasks.map((t) => JSON.stringify(t.escalationPath)),
        tasks.map((t) => t.escalatedFromTaskId ?? null),
      ],
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
    }
    // Only the rows created here get messages and timers.
    const reachable = rows.filter((r) => r.state !== 'unreachable').map((r) => r.id);
    const unreachable = rows.filter((r) => r.state === 'unreachable').map((r) => r.id);

    work.sends = await this.createAttempts(manager, reachable, 0, spec.ladderMs[0].channels, ctx.level);
    for (const id of reachable) {
      spec.ladderMs.slice(1).forEach((rung, i) => {
        work.checks.push({ callTaskId: id, step: i + 1, dueAt: new Date(now.getTime() + rung.atMs) });
      });
      if (deadline) {
        work.checks.push({ callTaskId: id, step: 'deadline', dueAt: deadline });
      }
    }
    for (const id of unreachable) {
      work.checks.push({ callTaskId: id, step: 'deadline', dueAt: now });
    }
    return work;
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
    const rows = await manager.query<Array<{ id: string; channel: string }>>(
      `INSERT INTO attempts (call_task_id, channel, contact_method_id, rung, idempotency_key)
       SELECT DISTINCT ON (t.id, c.channel) t.id, c.channel, c.id, $2::smallint, t.id || '-r' || $2 || '-' || c.channel
       FROM call_tasks t JOIN contact_methods c ON c.person_id = t.person_id
       WHERE t.id = ANY($1::uuid[]) AND c.channel = ANY($3::varchar[]) AND c.invalid_at IS NULL
       ORDER BY t.id, c.channel, c.priority
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, channel`,
      [taskIds, rung, live],
    );
    return rows.map((r) => ({ attemptId: r.id, channel: r.channel, level }));
  }
}
