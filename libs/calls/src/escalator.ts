import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESCALATION_REASON_ZH, ResolvedSpec } from '@app/config';
import type { CallReason, EscalationReason } from '@app/database';
import {
  CallTasksRepository,
  EscalationsRepository,
  EventLog,
  isReachableUnanswered,
  PerformanceRecordsRepository,
} from '@app/database';
import type { CheckJob } from '@app/queue';
import { CallPlanner, PlannedWork } from './call-planner';
import { ClimbWrites } from './climb-writes';
import { EscalationNotices } from './escalation-notices';
import { escalationRoundDue, reminderDue } from './timer-rules';

/** People already called who have not answered (an unreachable one is passed over: they cannot be reached). */

interface OpenTask {
  id: string;
  warning_id: string;
  dispatch_id: string;
  person_id: string;
  person_name: string;
  tier: number;
  escalation_step: number;
  escalation_path: string[][];
  overdue_since: Date | null;
  first_round: number | null;
  round_base: number;
  level: number | null;
  spec: ResolvedSpec;
}

/**
 * Moves a silent (or unreachable, or unable) person's call one step up the chain resolved at match time.
 * Silence: every person of the next step gets a 督办 listing the silent people (one per person per round, see
 * EscalationNotices), called for the warning or not; people not yet called are also called (tier n+1); the call
 * becomes overdue and its reminders start. Each round's deadline takes the next step, until someone reports acting
 * (已联系上 / 已派人前往) or the top stayed silent too: then the duty desk phones the person (电话叫应).
 * 无法履职: the backup and 包干 superior are called at once (a step whose people have all answered is passed over).
 */
@Injectable()
export class Escalator {
  private readonly logger = new Logger(Escalator.name);

  constructor(
    private readonly planner: CallPlanner,
    private readonly callTasks: CallTasksRepository,
    private readonly escalations: EscalationsRepository,
    private readonly events: EventLog,
    private readonly performance: PerformanceRecordsRepository,
    private readonly notices: EscalationNotices,
  ) {}

  /**
   * Inside the caller's transaction (the task row is already locked). Returns the work to enqueue after commit. With
   * `later`, what the climb writes besides the call (its record, events and 督办) is left there for the caller to
   * flush with its other climbs' at the end of its transaction, and the notices that opens are the caller's to send.
   */
  async escalate(
    tx: EntityManager,
    callTaskId: string,
    reason: EscalationReason,
    now: Date,
    later?: ClimbWrites,
  ): Promise<PlannedWork | null> {
    const writes = later ?? new ClimbWrites();
    const [task] = await tx.query<OpenTask[]>(
      `SELECT t.id, t.warning_id, t.dispatch_id, t.person_id, t.tier, t.escalation_path, t.escalation_step, t.overdue_since, t.first_round,
              coalesce(t.round_base, (SELECT coalesce(max(n.round), 0) FROM escalation_notices n
                                      WHERE n.warning_id = t.warning_id AND n.created_at < d.created_at))::int AS round_base,
              p.name AS person_name, w.level, d.spec
       FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
       JOIN dispatches d ON d.id = t.dispatch_id WHERE t.id = $1`,
      [callTaskId],
    );
    const silence = reason !== 'cannot_comply';
    const reminders: CheckJob[] = [];
    if (silence) {
      await this.callTasks.markEscalated(tx, task.id, now);
      if (!task.overdue_since) {
        const dueAt = reminderDue(task.spec, task.tier, now, 1);
        await this.callTasks.markOverdue(tx, task.id, now, dueAt);
        reminders.push({ callTaskId: task.id, step: 'reminder', dueAt });
      }
      if (task.escalation_step > 0 && (await this.notices.actedOn(tx, task.id))) {
        return this.stop(tx, task, 'EscalationHandled', now, reminders);
      }
    }
    const why: CallReason = {
      kind: 'escalation',
      note: `${task.person_name}${ESCALATION_REASON_ZH[reason]}`,
      targetId: task.id,
    };
    const steps = task.escalation_path.length;
    // The round of this climb: a call's first climb is in the round it was made in (at once, for a person nobody can
    // reach) or the next (at its deadline); each later step one more. Calls of one wave share a round whatever their tier.
    const firstRound = task.first_round ?? task.round_base + (reason === 'unreachable' ? 0 : 1);
    for (let step = task.escalation_step; step < steps; step++) {
      const people = task.escalation_path[step];
      // Tasks of people already called are only read, never locked: the escalation row is their new reason.
      const held = await tx.query<Array<{ id: string; person_id: string; state: string }>>(
        `SELECT id, person_id, state FROM call_tasks WHERE dispatch_id = $1 AND person_id = ANY($2::uuid[])`,
        [task.dispatch_id, people],
      );
      const fresh = people.filter((p) => !held.some((h) => h.person_id === p));
      const stillOpen = held.filter((h) => isReachableUnanswered(h.state));
      if (people.length === 0 || (!silence && fresh.length + stillOpen.length === 0)) {
        continue;
      }
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
      if (work.taskIds.size > 0) {
        // The people called by this climb are called in its round (无法履职: the warning's latest): their silence is the next.
        await this.callTasks.setRoundBase(
          tx,
          [...work.taskIds.values()],
          silence ? firstRound + step : null,
          task.warning_id,
        );
      }
      const targets = [
        ...stillOpen.map((h) => ({ personId: h.person_id, taskId: h.id })),
        ...fresh.map((personId) => ({ personId, taskId: work.taskIds.get(personId) ?? null })),
      ];
      this.record(writes, task, targets, reason, now);
      // The round after this one: the next step, or past the top the 电话叫应 check. An answer has no rounds.
      const dueAt = silence ? escalationRoundDue(task.spec, task.tier, step + 1, now) : null;
      if (silence) {
        writes.gathers.push({
          warningId: task.warning_id,
          personIds: people,
          callTaskId: task.id,
          round: firstRound + step,
          top: step === steps - 1,
          deadlineAt: dueAt,
        });
      }
      const opened = later ? [] : await this.flush(tx, writes, now);
      await this.callTasks.advanceEscalation(tx, task.id, { step: step + 1, dueAt, now, silence, firstRound });
      const round: CheckJob[] = dueAt ? [{ callTaskId: task.id, step: 'deadline', dueAt }] : [];
      return { ...work, checks: [...work.checks, ...reminders, ...round], escalationNotices: opened };
    }
    if (silence) {
      // Nobody above is left to tell (or the top of the path stayed silent as well): the duty desk phones them.
      await this.callTasks.requestManualCall(tx, task.id, now);
      await this.events.append(
        { type: 'ManualCallRequired', warningId: task.warning_id, callTaskId: task.id, data: { reason } },
        tx,
      );
    }
    await this.events.append(
      { type: 'EscalationExhausted', warningId: task.warning_id, callTaskId: task.id, data: { reason } },
      tx,
    );
    if (task.escalation_step === 0) {
      // Nobody to escalate to at all; a climb that reached the top was recorded at its first step.
      await this.performance.record(
        tx,
        [
          {
            kind: reason === 'cannot_comply' ? 'escalation_exhausted' : reason,
            callTaskId: task.id,
            detail: { exhausted: true },
          },
        ],
        now,
      );
    }
    return this.stop(tx, task, null, now, reminders);
  }

  /** No further rounds for this call (its reminders go on). */
  private async stop(
    tx: EntityManager,
    task: OpenTask,
    event: string | null,
    now: Date,
    reminders: CheckJob[],
  ): Promise<PlannedWork | null> {
    await this.callTasks.stopEscalation(tx, task.id, task.escalation_path.length + 1, now);
    if (event) {
      await this.events.append({ type: event, warningId: task.warning_id, callTaskId: task.id }, tx);
    }
    return reminders.length > 0 ? { taskIds: new Map(), sends: [], checks: reminders } : null;
  }

  /** Writes the climbs' records, events and 督办 (see ClimbWrites); returns the notices opened. */
  async flush(tx: EntityManager, writes: ClimbWrites, now: Date): Promise<string[]> {
    await this.escalations.record(tx, writes.escalations);
    if (writes.events.length > 0) {
      await this.events.append(writes.events, tx);
    }
    await this.performance.record(tx, writes.performance, now);
    return this.notices.gather(tx, writes.gathers, now);
  }

  private record(
    writes: ClimbWrites,
    task: OpenTask,
    targets: Array<{ personId: string; taskId: string | null }>,
    reason: EscalationReason,
    now: Date,
  ): void {
    if (targets.length > 0) {
      writes.escalations.push({
        warningId: task.warning_id,
        fromTaskId: task.id,
        toTaskIds: targets.map((t) => t.taskId),
        reason,
        at: now,
      });
    }
    writes.events.push({
      type: 'CallEscalated',
      warningId: task.warning_id,
      callTaskId: task.id,
      data: { reason, to: targets, tier: task.tier + 1 },
    });
    if (reason !== 'cannot_comply') {
      // The answer itself is the record for cannot_comply (AckService); silence and unreachability are recorded here.
      writes.performance.push({
        kind: reason,
        callTaskId: task.id,
        detail: { escalatedTo: targets, tier: task.tier + 1 },
      });
    }
    this.logger.log({ msg: 'call escalated', callTaskId: task.id, to: targets.map((t) => t.taskId), reason });
  }
}
