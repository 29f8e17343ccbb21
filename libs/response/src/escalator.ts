import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { ResolvedSpec, tierSpec } from '@app/config';
import type { CallReason, EscalationReason } from '@app/database';
import { EventLog } from '@app/database';
import { JobProducer } from '@app/queue';
import { CallPlanner, PlannedWork } from './call-planner';
import { PerformanceLog } from './performance-log';

const laterOf = (a: Date, b: Date): Date => (b.getTime() > a.getTime() ? b : a);

/** People already called who have not answered (an unreachable one is passed over: they cannot be reached). */
const OPEN_STATES = ['pending', 'sent', 'escalated'];

/** What happened to the person escalated from, after their name: 张三未在时限内应答. */
export const ESCALATION_REASON_ZH: Record<EscalationReason, string> = {
  no_ack: '未在时限内应答',
  unreachable: '无法联系',
  cannot_comply: '报告无法履职',
};

interface OpenTask {
  id: string;
  warning_id: string;
  dispatch_id: string;
  person_id: string;
  person_name: string;
  tier: number;
  escalation_step: number;
  escalation_path: string[][];
  level: number | null;
  spec: ResolvedSpec;
}

/**
 * Moves a silent (or unreachable, or unable) person's call one step up the chain resolved at match time:
 * everyone in the next step is called at once (by default the backup and the 包干 superior together). For a person
 * already called for this warning the escalation row adds the reason to their task; others get a new task that says why,
 * carrying the remaining steps as their own path. A step whose people have all answered already is passed over.
 */
@Injectable()
export class Escalator {
  private readonly logger = new Logger(Escalator.name);

  constructor(
    private readonly planner: CallPlanner,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly performance: PerformanceLog,
    private readonly clock: Clock,
  ) {}

  /** Inside the caller's transaction (the task row is already locked). Returns the work to enqueue after commit. */
  async escalate(tx: EntityManager, callTaskId: string, reason: EscalationReason, now: Date): Promise<PlannedWork | null> {
    const [task] = await tx.query<OpenTask[]>(
      `SELECT t.id, t.warning_id, t.dispatch_id, t.person_id, t.tier, t.escalation_path, t.escalation_step, p.name AS person_name,
              w.level, d.spec
       FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
       JOIN dispatches d ON d.id = t.dispatch_id WHERE t.id = $1`,
      [callTaskId],
    );
    if (reason !== 'cannot_comply') {
      await tx.query(`UPDATE call_tasks SET state = 'escalated', updated_at = $2 WHERE id = $1`, [task.id, now]);
    }
    const why: CallReason = { kind: 'escalation', note: `${task.person_name}${ESCALATION_REASON_ZH[reason]}`, targetId: task.id };
    for (let step = task.escalation_step; step < task.escalation_path.length; step++) {
      const people = task.escalation_path[step];
      // Tasks of people already called are only read, never locked: the escalation row is their new reason.
      const held = await tx.query<Array<{ id: string; person_id: string; state: string }>>(
        `SELECT id, person_id, state FROM call_tasks WHERE dispatch_id = $1 AND person_id = ANY($2::uuid[])`,
        [task.dispatch_id, people],
      );
      const fresh = people.filter((p) => !held.some((h) => h.person_id === p));
      const work = await this.planner.create(
        tx,
        { warningId: task.warning_id, dispatchId: task.dispatch_id, level: task.level, spec: task.spec, now },
        fresh.map((personId) => ({
          personId,
          tier: task.tier + 1,
          reasons: [why],
          escalationPath: task.escalation_path.slice(step + 1),
          escalatedFromTaskId: task.id,
        })),
      );
      const stillOpen = held.filter((h) => OPEN_STATES.includes(h.state));
      const targets = [...stillOpen.map((h) => ({ personId: h.person_id, taskId: h.id })),
        ...fresh.map((personId) => ({ personId, taskId: work.taskIds.get(personId) ?? null }))];
      if (targets.length > 0) {
        await this.record(tx, task, targets, reason, now);
        return this.nextRound(tx, task, step + 1, reason, now, work);
      }
    }
    await this.events.append(
      { type: 'EscalationExhausted', warningId: task.warning_id, callTaskId: task.id, data: { reason } },
      tx,
    );
    await this.performance.record(tx, [{ kind: reason === 'cannot_comply' ? 'escalation_exhausted' : reason, callTaskId: task.id, detail: { exhausted: true } }], now);
    return null;
  }

  /**
   * After commit. Timer delays are measured from when they are added, not from `planned` (when the work was planned):
   * the transaction and the sends' addBulk before them would otherwise make every timer late by that long.
   */
  async enqueue(work: PlannedWork, planned: Date): Promise<void> {
    await this.producer.send(work.sends);
    const now = laterOf(planned, this.clock.now());
    await this.producer.scheduleChecks(work.checks, now);
  }

  /**
   * A call still silent goes one step further up its path at the deadline of the tier it reached (DOMAIN S7: the
   * 包干 leader, then the same role one tier up, the duty officer, the commander). cannot_comply is an answer: no rounds.
   */
  private async nextRound(tx: EntityManager, task: OpenTask, nextStep: number, reason: EscalationReason, now: Date, work: PlannedWork): Promise<PlannedWork> {
    const more = reason !== 'cannot_comply' && nextStep < task.escalation_path.length;
    const dueAt = more ? new Date(now.getTime() + tierSpec(task.spec, task.tier + nextStep).ackDeadlineMs) : null;
    await tx.query(
      `UPDATE call_tasks SET escalation_step = $2, deadline_at = coalesce($3, deadline_at), updated_at = $4 WHERE id = $1`,
      [task.id, nextStep, dueAt, now],
    );
    return dueAt ? { ...work, checks: [...work.checks, { callTaskId: task.id, step: 'deadline', dueAt }] } : work;
  }

  private async record(
    tx: EntityManager,
    task: OpenTask,
    targets: Array<{ personId: string; taskId: string | null }>,
    reason: EscalationReason,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO escalations (warning_id, from_task_id, to_task_id, reason, at)
       SELECT $1, $2, unnest($3::uuid[]), $4, $5`,
      [task.warning_id, task.id, targets.map((t) => t.taskId), reason, now],
    );
    await this.events.append(
      {
        type: 'CallEscalated',
        warningId: task.warning_id,
        callTaskId: task.id,
        data: { reason, to: targets, tier: task.tier + 1 },
      },
      tx,
    );
    if (reason !== 'cannot_comply') {
      // The answer itself is the record for cannot_comply (AckService); silence and unreachability are recorded here.
      await this.performance.record(tx, [{ kind: reason, callTaskId: task.id, detail: { escalatedTo: targets, tier: task.tier + 1 } }], now);
    }
    this.logger.log({ msg: 'call escalated', callTaskId: task.id, to: targets.map((t) => t.taskId), reason });
  }
}
