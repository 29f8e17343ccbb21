import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ON_LADDER_STATES,
  UNANSWERED_STATES_SQL,
  UNESCALATED_UNANSWERED_STATES_SQL,
  type CallTaskState,
} from '../call-task-states';
import type { CallReason } from '../entities';

/** A call to create, as the planner decided it. */
export interface NewCallTaskRow {
  personId: string;
  tier: number;
  reasons: CallReason[];
  state: Extract<CallTaskState, 'pending' | 'unreachable'>;
  escalationPath: string[][];
  escalatedFromTaskId: string | null;
  requiresAck: boolean;
  deadlineAt: Date | null;
}

/** A unit's calls on the commander board: one warning (or every tracked one), a unit code, the caller's region. */
export interface UnitScope {
  warningId: string | null;
  unit: string;
  regionCode: string;
}

/** A call recalled from the board, with what its next reminder needs. */
export interface RecalledCall<Spec> {
  id: string;
  warning_id: string;
  tier: number;
  reminders: number;
  level: number | null;
  spec: Spec;
}

/** What a climb does to the call that climbs (CallTasksRepository.applyClimbs); what is left out stays as it is. */
export interface ClimbChange {
  id: string;
  /** Silent at its deadline (or unreachable): escalated. */
  escalated?: boolean;
  /** Overdue from `since`; its first reminder falls due at `reminderDueAt`. */
  overdue?: { since: Date; reminderDueAt: Date };
  /** The step reached (past the path's end: no further rounds). */
  step?: number;
  /** A silent climb's next round falls due then. */
  dueAt?: Date | null;
  /** The round a silent climb began in (kept once set). */
  firstRound?: number | null;
  /** The duty desk is to phone the person (电话叫应). */
  manualCall?: boolean;
}

/**
 * Calls of warnings being tracked still waiting for their person's answer, in a unit and the caller's region
 * ($1 warning or null, $2 unit code, $3 region code; t the call, w its warning, p its person).
 */
const SILENT_IN_UNIT = `t.requires_ack AND t.acknowledged_at IS NULL AND t.state IN ${UNANSWERED_STATES_SQL}
  AND w.state = 'tracking' AND ($1::uuid IS NULL OR w.id = $1::uuid)
  AND p.admin_unit_code LIKE $2 || '%' AND ($3 = '500000' OR p.admin_unit_code LIKE $3 || '%')`;

/**
 * The only writer of `call_tasks`: one person called for one warning version, from planned through sent to
 * answered, escalated or closed, with its ladder, reminder and escalation bookkeeping. The caller passes its
 * transaction's manager; the service decides, this class only says it in SQL.
 */
@Injectable()
export class CallTasksRepository {
  /**
   * Locks a call for a change, its warning first (shared): a lift or an update, which locks the warning exclusively,
   * then either waits for this change to commit or makes it see the warning no longer tracking. Every writer that can
   * add calls or messages to a warning takes the locks in this order. Returns the asked columns (t the call, w its
   * warning, d its dispatch, plus what `join` adds), or nothing for an unknown id.
   */
  async lockWithWarning<T>(tx: EntityManager, callTaskId: string, columns: string, join = ''): Promise<T | undefined> {
    await tx.query(`SELECT 1 FROM warnings WHERE id = (SELECT warning_id FROM call_tasks WHERE id = $1) FOR SHARE`, [
      callTaskId,
    ]);
    const [row] = await tx.query<T[]>(
      `SELECT ${columns} FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id ${join}
       WHERE t.id = $1 FOR NO KEY UPDATE OF t`,
      [callTaskId],
    );
    return row;
  }

  /**
   * lockWithWarning for several calls at once, in the same order: their warnings shared, then the calls in id order,
   * so two such batches never wait on each other in a circle.
   */
  async lockManyWithWarning<T>(tx: EntityManager, callTaskIds: string[], columns: string): Promise<T[]> {
    await tx.query(
      `SELECT 1 FROM warnings WHERE id IN (SELECT warning_id FROM call_tasks WHERE id = ANY($1::uuid[])) ORDER BY id FOR SHARE`,
      [callTaskIds],
    );
    return tx.query<T[]>(
      `SELECT ${columns} FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id
       WHERE t.id = ANY($1::uuid[]) ORDER BY t.id FOR NO KEY UPDATE OF t`,
      [callTaskIds],
    );
  }

  /** One statement for the lot; a person who already has a call in this dispatch keeps it (not returned). */
  async createMany(
    manager: EntityManager,
    dispatch: { warningId: string; dispatchId: string; now: Date },
    tasks: NewCallTaskRow[],
  ): Promise<Array<{ id: string; person_id: string; state: CallTaskState }>> {
    return manager.query(
      `INSERT INTO call_tasks (warning_id, dispatch_id, person_id, tier, reasons, state, requires_ack, deadline_at,
                               next_rung, escalation_path, escalated_from_task_id, created_at, updated_at)
       SELECT $1, $2, t.person_id, t.tier, t.reasons, t.state, t.requires_ack, t.deadline, 1, t.path, t.from_id, $3, $3
       FROM unnest($4::uuid[], $5::smallint[], $6::jsonb[], $7::varchar[], $8::jsonb[], $9::uuid[], $10::boolean[],
                   $11::timestamptz[]) AS t(person_id, tier, reasons, state, path, from_id, requires_ack, deadline)
       ON CONFLICT (dispatch_id, person_id) DO NOTHING
       RETURNING id, person_id, state`,
      [
        dispatch.warningId,
        dispatch.dispatchId,
        dispatch.now,
        tasks.map((t) => t.personId),
        tasks.map((t) => t.tier),
        tasks.map((t) => JSON.stringify(t.reasons)),
        tasks.map((t) => t.state),
        tasks.map((t) => JSON.stringify(t.escalationPath)),
        tasks.map((t) => t.escalatedFromTaskId),
        tasks.map((t) => t.requiresAck),
        tasks.map((t) => t.deadlineAt),
      ],
    );
  }

  /**
   * A county's chunk found people who already have a call in the dispatch (an escalation from an earlier county
   * reached them first): their call keeps its state and path and gains the reasons it did not have.
   */
  async addReasons(
    manager: EntityManager,
    dispatchId: string,
    people: Array<{ personId: string; reasons: CallReason[] }>,
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE call_tasks t SET updated_at = $2, reasons = t.reasons ||
         (SELECT coalesce(jsonb_agg(r), '[]'::jsonb) FROM jsonb_array_elements(n.reasons) r WHERE NOT t.reasons @> jsonb_build_array(r))
       FROM unnest($3::uuid[], $4::jsonb[]) AS n(person_id, reasons)
       WHERE t.dispatch_id = $1 AND t.person_id = n.person_id`,
      [dispatchId, now, people.map((p) => p.personId), people.map((p) => JSON.stringify(p.reasons))],
    );
  }

  /**
   * A message of these calls left: pending → sent. The calls are locked in id order first, as a chunk of deadline
   * checks locks its calls: updated in the order the plan met them, a batch of outcomes and a chunk checking some of
   * the same calls each held one the other wanted (deadlocks in the 52,612-call wave, 50 calls to a chunk).
   */
  async markSent(manager: EntityManager, ids: string[], now: Date): Promise<void> {
    await manager.query(
      `UPDATE call_tasks t SET state = 'sent', updated_at = $2
       FROM (SELECT id FROM call_tasks WHERE id = ANY($1::uuid[]) AND state = 'pending' ORDER BY id FOR NO KEY UPDATE) l
       WHERE t.id = l.id AND t.state = 'pending'`,
      [ids, now],
    );
  }

  /** No channel left that can reach the person: unreachable, if the call is still on its ladder. True when marked. */
  async markUnreachable(manager: EntityManager, id: string, now: Date): Promise<boolean> {
    const marked = await manager.query<unknown[]>(
      `WITH u AS (UPDATE call_tasks SET state = 'unreachable', updated_at = $2 WHERE id = $1 AND state = ANY($3::varchar[]) RETURNING id)
       SELECT id FROM u`,
      [id, now, ON_LADDER_STATES],
    );
    return marked.length > 0;
  }

  /** The ladder moved on: the next rung still to run is `nextRung`. */
  async advanceRung(manager: EntityManager, id: string, nextRung: number, now: Date): Promise<void> {
    await manager.query(`UPDATE call_tasks SET next_rung = $2, updated_at = $3 WHERE id = $1`, [id, nextRung, now]);
  }

  /** The `reminders`-th reminder was made; the next is due at `nextDueAt`. */
  async recordReminder(
    manager: EntityManager,
    id: string,
    reminders: number,
    nextDueAt: Date,
    now: Date,
  ): Promise<void> {
    await manager.query(`UPDATE call_tasks SET reminders = $2, reminder_due_at = $3, updated_at = $4 WHERE id = $1`, [
      id,
      reminders,
      nextDueAt,
      now,
    ]);
  }

  /** Calls made by a climb count their silence from `round`, or (null) from the warning's latest 督办 round. */
  async setRoundBase(manager: EntityManager, ids: string[], round: number | null, warningId: string): Promise<void> {
    await manager.query(
      `UPDATE call_tasks SET round_base = coalesce($2, (SELECT coalesce(max(round), 0) FROM escalation_notices WHERE warning_id = $3))
       WHERE id = ANY($1::uuid[]) AND round_base IS NULL`,
      [ids, round, warningId],
    );
  }

  /**
   * What climbs did to the calls that climbed, one statement for a chunk of them (a field left out keeps its value):
   * escalated, overdue with its first reminder due, the escalation step reached with the next round's deadline and the
   * round the climb began in (kept once set), the duty desk asked to phone (from the first time).
   */
  async applyClimbs(manager: EntityManager, changes: ClimbChange[], now: Date): Promise<void> {
    if (changes.length === 0) {
      return;
    }
    await manager.query(
      `UPDATE call_tasks t SET
         state = CASE WHEN u.escalated THEN 'escalated' ELSE t.state END,
         overdue_since = coalesce(u.overdue_since, t.overdue_since),
         reminder_due_at = CASE WHEN u.overdue_since IS NULL THEN t.reminder_due_at ELSE u.reminder_due_at END,
         escalation_step = coalesce(u.step, t.escalation_step),
         deadline_at = coalesce(u.due, t.deadline_at),
         first_round = coalesce(t.first_round, u.first_round),
         manual_call_at = CASE WHEN u.manual_call THEN coalesce(t.manual_call_at, $9) ELSE t.manual_call_at END,
         updated_at = $9
       FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::timestamptz[],
                   $7::int[], $8::boolean[]) AS u(id, escalated, overdue_since, reminder_due_at, step, due, first_round, manual_call)
       WHERE t.id = u.id`,
      [
        changes.map((c) => c.id),
        changes.map((c) => !!c.escalated),
        changes.map((c) => c.overdue?.since ?? null),
        changes.map((c) => c.overdue?.reminderDueAt ?? null),
        changes.map((c) => c.step ?? null),
        changes.map((c) => c.dueAt ?? null),
        changes.map((c) => c.firstRound ?? null),
        changes.map((c) => !!c.manualCall),
        now,
      ],
    );
  }

  /**
   * Counts one more reminder on a unit's silent calls, locked in id order; returns them with their tier, count,
   * level and dispatch spec. The caller holds its warnings (shared) first, as every writer adding messages does.
   */
  async recallSilentIn<Spec>(manager: EntityManager, scope: UnitScope, now: Date): Promise<Array<RecalledCall<Spec>>> {
    // An UPDATE … RETURNING answers [rows, count].
    const [rows] = await manager.query<[Array<RecalledCall<Spec>>, number]>(
      `WITH s AS (SELECT t.id FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN persons p ON p.id = t.person_id
                  WHERE ${SILENT_IN_UNIT} ORDER BY t.id FOR NO KEY UPDATE OF t)
       UPDATE call_tasks t SET reminders = t.reminders + 1, updated_at = $4 FROM s, warnings w, dispatches d
       WHERE t.id = s.id AND w.id = t.warning_id AND d.id = t.dispatch_id
       RETURNING t.id, t.warning_id, t.tier, t.reminders, w.level, d.spec`,
      [scope.warningId, scope.unit, scope.regionCode, now],
    );
    return rows;
  }

  /** Hands a unit's silent calls not yet handed over to the duty desk's phone queue; returns them. */
  async handOverSilentIn(
    manager: EntityManager,
    scope: UnitScope,
    now: Date,
  ): Promise<Array<{ id: string; warning_id: string }>> {
    const [rows] = await manager.query<[Array<{ id: string; warning_id: string }>, number]>(
      `UPDATE call_tasks t SET manual_call_at = $4, updated_at = $4 FROM warnings w, persons p
       WHERE w.id = t.warning_id AND p.id = t.person_id AND t.manual_call_at IS NULL AND ${SILENT_IN_UNIT}
       RETURNING t.id, t.warning_id`,
      [scope.warningId, scope.unit, scope.regionCode, now],
    );
    return rows;
  }

  /**
   * The warnings were updated or lifted: their unanswered calls not yet escalated close as `state`. Returns the
   * ids closed.
   */
  async closeOpenFor(
    manager: EntityManager,
    warningIds: string[],
    state: 'superseded' | 'cancelled',
    now: Date,
  ): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE call_tasks SET state = $2, updated_at = $3
         WHERE warning_id = ANY($1::uuid[]) AND state IN ${UNESCALATED_UNANSWERED_STATES_SQL} RETURNING id)
       SELECT id FROM u`,
      [warningIds, state, now],
    );
    return rows.map((r) => r.id);
  }
}

/**
 * For the one statement that records first answers: a CTE body marking the answered calls acknowledged. `input` names
 * the statement's CTE of answers, with columns `task_id` and `at`.
 */
export const acknowledgeCallsSql = (input: string): string =>
  `UPDATE call_tasks t SET state = 'acknowledged', acknowledged_at = ${input}.at, updated_at = ${input}.at FROM ${input} WHERE t.id = ${input}.task_id`;
