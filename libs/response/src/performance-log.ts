import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PerformanceKind } from '@app/database';
import { PERFORMANCE_INSERT_SQL, ROLE_SLOTS_SQL } from '@app/database';

export interface PerformanceEntry {
  kind: PerformanceKind;
  callTaskId?: string;
  orderTargetId?: string;
  personId?: string;
  detail?: Record<string, unknown>;
}

/**
 * 履职记录: one row per answer, silence and escalation, for the person and the role slots they were called in.
 * For a call task the person, warning and role slots are read from the task itself.
 */
@Injectable()
export class PerformanceLog {
  constructor(private readonly dataSource: DataSource) {}

  async list(regionCode: string, filter: { warningId?: string; personId?: string }) {
    return this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT r.id, r.person_id AS "personId", p.name AS "personName", p.admin_unit_code AS "unitCode", r.role_slots AS "roleSlots",
              r.kind, r.at, r.warning_id AS "warningId", r.call_task_id AS "callTaskId", r.order_target_id AS "orderTargetId", r.detail
       FROM performance_records r JOIN persons p ON p.id = r.person_id
       WHERE ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%') AND ($2::uuid IS NULL OR r.warning_id = $2)
         AND ($3::uuid IS NULL OR r.person_id = $3) ORDER BY r.at, r.id LIMIT 5000`,
      [regionCode, filter.warningId ?? null, filter.personId ?? null],
    );
  }

  async record(tx: EntityManager, entries: PerformanceEntry[], at: Date): Promise<void> {
    const calls = entries.filter((e) => e.callTaskId);
    if (calls.length > 0) {
      await tx.query(
        `${PERFORMANCE_INSERT_SQL}
         SELECT t.person_id, t.warning_id, t.id, ${ROLE_SLOTS_SQL('t')}, e.kind, $3, e.detail
         FROM unnest($1::uuid[], $2::varchar[], $4::jsonb[]) AS e(task_id, kind, detail) JOIN call_tasks t ON t.id = e.task_id`,
        [calls.map((e) => e.callTaskId), calls.map((e) => e.kind), at, calls.map((e) => JSON.stringify(e.detail ?? {}))],
      );
    }
    const orders = entries.filter((e) => e.orderTargetId);
    if (orders.length > 0) {
      await tx.query(
        `INSERT INTO performance_records (person_id, order_target_id, role_slots, kind, at, detail)
         SELECT ot.person_id, ot.id, ARRAY['order_target'], e.kind, $3, e.detail
         FROM unnest($1::uuid[], $2::varchar[], $4::jsonb[]) AS e(target_id, kind, detail) JOIN order_targets ot ON ot.id = e.target_id`,
        [orders.map((e) => e.orderTargetId), orders.map((e) => e.kind), at, orders.map((e) => JSON.stringify(e.detail ?? {}))],
      );
    }
  }
}
