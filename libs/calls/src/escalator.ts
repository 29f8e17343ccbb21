import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESCALATION_REASON_ZH } from '@app/config';
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
import { ClimbBatch, ClimbingCall, HeldCall, heldKey } from './climb-batch';
import { EscalationNotices } from './escalation-notices';
import { escalationRoundDue, reminderDue } from './timer-rules';

/** The climbing calls with their person, warning and dispatch, and the round a first climb counts from. */
const CLIMBING_CALLS = `SELECT t.id, t.warning_id, t.dispatch_id, t.person_id, t.tier, t.escalation_path, t.escalation_step,
       t.overdue_since, t.first_round, p.name AS person_name, w.level, d.spec,
       coalesce(t.round_base, (SELECT coalesce(max(n.round), 0) FROM escalation_notices n
                               WHERE n.warning_id = t.warning_id AND n.created_at < d.created_at))::int AS round_base
  FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
  JOIN dispatches d ON d.id = t.dispatch_id WHERE t.id = ANY($1::uuid[])`;

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
   * `batch`, what the climb writes is left there for the caller to flush with its other climbs' at the end of its
   * transaction (read ahead with `preload`), and the notices that opens are the caller's to send.
   */
  async escalate(
    tx: EntityManager,
    callTaskId: string,
    reason: EscalationReason,
    now: Date,
    batch?: ClimbBatch,
  ): Promise<PlannedWork | null> {
    const own = batch ?? new ClimbBatch();
    if (!own.calls.has(callTaskId)) {
      await this.preload(tx, own, [callTaskId]);
    }
    const work = await this.climb(tx, own.calls.get(callTaskId)!, reason, now, own);
    if (batch) {
      return work;
    }
    const opened = await this.flush(tx, own, now);
    return work && opened.length > 0 ? { ...work, escalationNotices: opened } : work;
  }

  /** Reads what the climbs of these calls need, in two statements for them all: the calls and the people above. */
  async preload(tx: EntityManager, batch: ClimbBatch, callTaskIds: string[]): Promise<void> {
    const calls = await tx.query<ClimbingCall[]>(CLIMBING_CALLS, [callTaskIds]);
    calls.forEach((c) => batch.calls.set(c.id, c));
    await this.readHeld(
      tx,
      batch,
      calls.flatMap((c) => (c.escalation_path[c.escalation_step] ?? []).map((p) => heldKey(c.dispatch_id, p))),
    );
  }

  private async climb(
    tx: EntityManager,
    task: ClimbingCall,
    reason: EscalationReason,
    now: Date,
    batch: ClimbBatch,
  ): Promise<PlannedWork | null> {
    const silence = reason !== 'cannot_comply';
    const reminders: CheckJob[] = [];
    if (silence) {
      batch.change(task.id, { escalated: true });
      if (!task.overdue_since) {
        const dueAt = reminderDue(task.spec, task.tier, now, 1);
        batch.change(task.id, { overdue: { since: now, reminderDueAt: dueAt } });
        reminders.push({ callTaskId: task.id, step: 'reminder', dueAt });
      }
      if (task.escalation_step > 0 && (await this.notices.actedOn(tx, task.id))) {
        return this.stop(batch, task, 'EscalationHandled', reminders);
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
      // Calls of people already called are only read, never locked: the escalation row is their new reason.
      const held = await this.heldCalls(tx, batch, task.dispatch_id, people);
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
      // Read again when another climb reaches them: their calls are new (or another transaction's).
      fresh.forEach((p) => batch.held.delete(heldKey(task.dispatch_id, p)));
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
      this.record(batch, task, targets, reason, now);
      // The round after this one: the next step, or past the top the 电话叫应 check. An answer has no rounds.
      const dueAt = silence ? escalationRoundDue(task.spec, task.tier, step + 1, now) : null;
      if (silence) {
        batch.gathers.push({
          warningId: task.warning_id,
          personIds: people,
          callTaskId: task.id,
          round: firstRound + step,
          top: step === steps - 1,
          deadlineAt: dueAt,
        });
      }
      batch.change(task.id, { step: step + 1, dueAt, firstRound: silence ? firstRound : null });
      const round: CheckJob[] = dueAt ? [{ callTaskId: task.id, step: 'deadline', dueAt }] : [];
      return { ...work, checks: [...work.checks, ...reminders, ...round], escalationNotices: [] };
    }
    if (silence) {
      // Nobody above is left to tell (or the top of the path stayed silent as well): the duty desk phones them.
      batch.change(task.id, { manualCall: true });
      batch.events.push({
        type: 'ManualCallRequired',
        warningId: task.warning_id,
        callTaskId: task.id,
        data: { reason },
      });
    }
    batch.events.push({
      type: 'EscalationExhausted',
      warningId: task.warning_id,
      callTaskId: task.id,
      data: { reason },
    });
    if (task.escalation_step === 0) {
      // Nobody to escalate to at all; a climb that reached the top was recorded at its first step.
      batch.performance.push({
        kind: reason === 'cannot_comply' ? 'escalation_exhausted' : reason,
        callTaskId: task.id,
        detail: { exhausted: true },
      });
    }
    return this.stop(batch, task, null, reminders);
  }

  /** No further rounds for this call (its reminders go on). */
  private stop(batch: ClimbBatch, task: ClimbingCall, event: string | null, reminders: CheckJob[]): PlannedWork | null {
    batch.change(task.id, { step: task.escalation_path.length + 1 });
    if (event) {
      batch.events.push({ type: event, warningId: task.warning_id, callTaskId: task.id });
    }
    return reminders.length > 0 ? { taskIds: new Map(), sends: [], checks: reminders } : null;
  }

  /**
   * The calls these people have in the dispatch, from what was read ahead (the rest read now), as this transaction's
   * climbs left them: a call escalated by an earlier climb of the batch counts as escalated.
   */
  private async heldCalls(
    tx: EntityManager,
    batch: ClimbBatch,
    dispatchId: string,
    people: string[],
  ): Promise<HeldCall[]> {
    await this.readHeld(
      tx,
      batch,
      people.map((p) => heldKey(dispatchId, p)).filter((k) => !batch.held.has(k)),
    );
    return people.flatMap((p) => {
      const call = batch.held.get(heldKey(dispatchId, p));
      return call ? [batch.changes.get(call.id)?.escalated ? { ...call, state: 'escalated' } : call] : [];
    });
  }

  private async readHeld(tx: EntityManager, batch: ClimbBatch, keys: string[]): Promise<void> {
    const wanted = [...new Set(keys)];
    if (wanted.length === 0) {
      return;
    }
    const pairs = wanted.map((k) => k.split('|'));
    const rows = await tx.query<Array<HeldCall & { dispatch_id: string }>>(
      `SELECT t.id, t.person_id, t.state, t.dispatch_id FROM call_tasks t
       JOIN unnest($1::uuid[], $2::uuid[]) AS x(d, p) ON t.dispatch_id = x.d AND t.person_id = x.p`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    wanted.forEach((k) => batch.held.set(k, null));
    rows.forEach((r) =>
      batch.held.set(heldKey(r.dispatch_id, r.person_id), { id: r.id, person_id: r.person_id, state: r.state }),
    );
  }

  /** Writes what the climbs did (see ClimbBatch): the calls, their records, events and 督办; returns the notices opened. */
  async flush(tx: EntityManager, writes: ClimbBatch, now: Date): Promise<string[]> {
    await this.callTasks.applyClimbs(tx, [...writes.changes.values()], now);
    await this.escalations.record(tx, writes.escalations);
    if (writes.events.length > 0) {
      await this.events.append(writes.events, tx);
    }
    await this.performance.record(tx, writes.performance, now);
    return this.notices.gather(tx, writes.gathers, now);
  }

  private record(
    writes: ClimbBatch,
    task: ClimbingCall,
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
