import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { callReasonsSql, ON_LADDER_STATES_SQL } from '@app/database';
import { offsetOf, Page, PageQuery } from './page';

export interface ManualCall {
  callTaskId: string;
  warningId: string;
  warningHeadline: string;
  colour: string | null;
  hazardType: string;
  person: { id: string; name: string; title: string | null; unitCode: string; unitName: string | null };
  /** Numbers to dial (tel: links); the duty desk needs them whole. */
  phones: Array<{ channel: string; address: string; invalid: boolean }>;
  state: string;
  /** Why the desk has it: no usable contact, or silent past the deadline (and escalated). */
  why: 'unreachable' | 'no_answer' | 'escalated' | 'handed_over';
  whyZh: string;
  reasons: unknown[];
  deadlineAt: Date | null;
  overdueMinutes: number;
  /** 督办: how many times this call has been escalated so far. */
  escalations: number;
  tier: number;
}

const WHY_ZH: Record<ManualCall['why'], string> = {
  unreachable: '无可用联系方式，需电话叫应',
  no_answer: '超过时限未应答',
  escalated: '超时未应答，已升级督办',
  handed_over: '指挥看板移交电话叫应',
};

/**
 * The duty desk's phone queue (电话叫应): unanswered calls of warnings in force whose person cannot be reached or
 * stayed silent past the deadline, in the caller's region; red first, then the longest overdue.
 * Answers are recorded through POST /api/v1/calls/:id/manual-ack.
 */
@Injectable()
export class ManualCallsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async queue(regionCode: string, q: PageQuery): Promise<Page<ManualCall>> {
    const now = this.clock.now();
    const from = `FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN persons p ON p.id = t.person_id
      WHERE w.state = 'tracking' AND t.acknowledged_at IS NULL AND t.requires_ack
        AND (t.state IN ('unreachable','escalated') OR (t.state IN ${ON_LADDER_STATES_SQL} AND (t.deadline_at < $2 OR t.manual_call_at IS NOT NULL)))
        AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, [
      regionCode,
      now,
    ]);
    const rows = await this.dataSource.query<Array<Omit<ManualCall, 'whyZh' | 'overdueMinutes'>>>(
      `SELECT t.id AS "callTaskId", w.id AS "warningId", w.headline AS "warningHeadline", w.colour, w.hazard_type AS "hazardType",
              json_build_object('id', p.id, 'name', p.name, 'title', p.title, 'unitCode', p.admin_unit_code,
                'unitName', (SELECT name FROM admin_units u WHERE u.code = p.admin_unit_code)) AS person,
              coalesce((SELECT json_agg(json_build_object('channel', m.channel, 'address', m.address, 'invalid', m.invalid_at IS NOT NULL)
                ORDER BY m.invalid_at IS NOT NULL, m.priority) FROM contact_methods m WHERE m.person_id = p.id AND m.channel IN ('sms','voice')), '[]') AS phones,
              t.state, CASE WHEN t.state = 'unreachable' THEN 'unreachable' WHEN t.state = 'escalated' THEN 'escalated'
                WHEN t.deadline_at >= $2 AND t.manual_call_at IS NOT NULL THEN 'handed_over' ELSE 'no_answer' END AS why,
              ${callReasonsSql('t')} AS reasons, t.deadline_at AS "deadlineAt", t.tier,
              (SELECT count(*)::int FROM escalations e WHERE e.from_task_id = t.id) AS escalations
       ${from}
       ORDER BY w.level NULLS LAST, t.state = 'unreachable' DESC, t.deadline_at NULLS FIRST, p.name, t.id
       LIMIT $3 OFFSET $4`,
      [regionCode, now, q.pageSize, offsetOf(q)],
    );
    const items = rows.map((r) => ({
      ...r,
      whyZh: WHY_ZH[r.why],
      overdueMinutes: r.deadlineAt
        ? Math.max(0, Math.floor((now.getTime() - new Date(r.deadlineAt).getTime()) / 60_000))
        : 0,
    }));
    return { items, total, page: q.page, pageSize: q.pageSize };
  }
}
