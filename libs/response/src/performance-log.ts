import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** 履职记录 as read: a person's answers, silences and escalations (written by PerformanceRecordsRepository). */
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
}
