import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PerformanceKind } from '../entities/response-records.entity';

/** One 履职记录 to write: about a call task (person, warning, role slots read from it) or an order target. */
export interface PerformanceEntry {
  kind: PerformanceKind;
  callTaskId?: string;
  orderTargetId?: string;
  detail?: Record<string, unknown>;
}

/** The head of an insert of call 履职记录; rows follow as person, warning, call, role slots, kind, at, detail. */
export const PERFORMANCE_INSERT_SQL =
  'INSERT INTO performance_records (person_id, warning_id, call_task_id, role_slots, kind, at, detail)';

/** The role slots a call task was made for, from its reasons (`task`: the call_tasks alias). */
export const ROLE_SLOTS_SQL = (task: string) =>
  `coalesce((SELECT array_agg(DISTINCT r->>'roleSlot') FROM jsonb_array_elements(${task}.reasons) r WHERE r->>'roleSlot' IS NOT NULL), '{}')`;

/**
 * The only writer of `performance_records` (履职记录), one row per answer, silence and escalation, for the person and
 * the role slots they were called in. First answers are written with their call in one statement (writeFirstAnswers,
 * built on PERFORMANCE_INSERT_SQL). The caller passes its transaction's manager.
 */
@Injectable()
export class PerformanceRecordsRepository {
  /** One statement for the calls' entries, one for the order targets'. */
  async record(manager: EntityManager, entries: PerformanceEntry[], at: Date): Promise<void> {
    const calls = entries.filter((e) => e.callTaskId);
    if (calls.length > 0) {
      await manager.query(
        `${PERFORMANCE_INSERT_SQL}
         SELECT t.person_id, t.warning_id, t.id, ${ROLE_SLOTS_SQL('t')}, e.kind, $3, e.detail
         FROM unnest($1::uuid[], $2::varchar[], $4::jsonb[]) AS e(task_id, kind, detail) JOIN call_tasks t ON t.id = e.task_id`,
        [
          calls.map((e) => e.callTaskId),
          calls.map((e) => e.kind),
          at,
          calls.map((e) => JSON.stringify(e.detail ?? {})),
        ],
      );
    }
    const orders = entries.filter((e) => e.orderTargetId);
    if (orders.length > 0) {
      await manager.query(
        `INSERT INTO performance_records (person_id, order_target_id, role_slots, kind, at, detail)
         SELECT ot.person_id, ot.id, ARRAY['order_target'], e.kind, $3, e.detail
         FROM unnest($1::uuid[], $2::varchar[], $4::jsonb[]) AS e(target_id, kind, detail) JOIN order_targets ot ON ot.id = e.target_id`,
        [
          orders.map((e) => e.orderTargetId),
          orders.map((e) => e.kind),
          at,
          orders.map((e) => JSON.stringify(e.detail ?? {})),
        ],
      );
    }
  }
}
