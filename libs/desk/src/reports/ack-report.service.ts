import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HAZARD_NAME_ZH, LEVEL_NAMES, LEVEL_ZH, roleLabel, sectorLabel } from '@app/config';
import { WITHDRAWN_STATES_SQL } from '@app/database';

export const REPORT_DIMENSIONS = ['level', 'hazard', 'county', 'town', 'sector', 'role', 'day'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface AckReportRow {
  key: string;
  name: string;
  calls: number;
  answered: number;
  /** 叫应率 = answered / calls waiting for an answer */
  rate: number;
  /** Seconds from the call to its answer, over the answered ones */
  medianSeconds: number | null;
  p90Seconds: number | null;
}

const KEY: Record<ReportDimension, string> = {
  level: `c.level::text`,
  hazard: `c.hazard_type`,
  county: `left(c.unit, 6)`,
  town: `CASE WHEN length(c.unit) >= 9 THEN left(c.unit, 9) END`,
  // The first reason that names a sector (行业); people reached only by escalation or 包干 without one count apart.
  sector: `coalesce((SELECT r ->> 'sector' FROM jsonb_array_elements(c.reasons) r WHERE r ->> 'sector' IS NOT NULL LIMIT 1), 'none')`,
  role: `coalesce(c.reasons -> 0 ->> 'roleSlot', c.reasons -> 0 ->> 'kind')`,
  day: `to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`,
};

/**
 * 统计: 叫应率 and time to answer (median, p90) of the calls of warnings sent in a period, by level, hazard, county,
 * town, sector (行业), role or day (China time), of the caller's region; drills (演练) apart from real warnings. Counted in SQL.
 */
@Injectable()
export class AckReportService {
  constructor(private readonly dataSource: DataSource) {}

  async report(
    regionCode: string,
    q: { by: ReportDimension; from: Date; to: Date; drill: boolean },
  ): Promise<AckReportRow[]> {
    const rows = await this.dataSource.query<Array<Omit<AckReportRow, 'name' | 'rate'> & { unit_name: string | null }>>(
      `WITH c AS (
         SELECT t.created_at, t.acknowledged_at, t.reasons, w.level, w.hazard_type, p.admin_unit_code AS unit
         FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN persons p ON p.id = t.person_id
         WHERE t.requires_ack AND t.state NOT IN ${WITHDRAWN_STATES_SQL} AND w.sent >= $2 AND w.sent < $3 AND w.is_drill = $4
           AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')),
       r AS (
         SELECT ${KEY[q.by]} AS key, count(*)::int AS calls, count(c.acknowledged_at)::int AS answered,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)) AS "medianSeconds",
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)) AS "p90Seconds"
         FROM c GROUP BY 1)
       SELECT r.*, u.name AS unit_name FROM r LEFT JOIN admin_units u ON u.code = r.key WHERE r.key IS NOT NULL ORDER BY r.key`,
      [regionCode, q.from, q.to, q.drill],
    );
    return rows.map(({ unit_name, ...r }) => ({
      ...r,
      name: this.nameOf(q.by, r.key, unit_name),
      rate: r.calls > 0 ? Math.round((r.answered / r.calls) * 1000) / 1000 : 0,
      medianSeconds: r.medianSeconds === null ? null : Math.round(r.medianSeconds),
      p90Seconds: r.p90Seconds === null ? null : Math.round(r.p90Seconds),
    }));
  }

  private nameOf(by: ReportDimension, key: string, unitName: string | null): string {
    switch (by) {
      case 'level':
        return LEVEL_ZH[LEVEL_NAMES[Number(key) - 1]] ?? key;
      case 'hazard':
        return HAZARD_NAME_ZH[key] ?? key;
      case 'role':
        return roleLabel(key);
      case 'sector':
        return key === 'none' ? '未分行业（升级、包干）' : sectorLabel(key);
      case 'county':
      case 'town':
        return unitName ?? key;
      case 'day':
        return key;
    }
  }
}
