import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import type { Role } from '@app/database';
import { EvacuationService, ZoneProgress } from './evacuation.service';
import { UNANSWERED_STATES_SQL } from '@app/database';
import { VISIBLE_UNMATCHED_SQL } from '@app/calls';

/** Who may read the board, as JSON or as the console page. */
export const BOARD_ROLES: Role[] = ['commander', 'duty_officer'];
/** The board lists at most this many open escalation rows (the oldest). */
const OPEN_ESCALATIONS_LIMIT = 200;

export interface Board {
  at: Date;
  regionCode: string;
  /** 丰都县 …; null when the region is not a known unit */
  regionName: string | null;
  activeWarnings: Array<{
    id: string;
    chainId: string;
    version: number;
    headline: string;
    colour: string | null;
    sent: Date;
    calls: number;
    answered: number;
  }>;
  townAckRates: Array<{ townCode: string; townName: string; calls: number; answered: number; rate: number }>;
  openEscalations: Array<{
    id: string;
    warningId: string;
    at: Date;
    ageSeconds: number;
    reason: string;
    fromTaskId: string;
    fromPerson: string;
    toPerson: string | null;
    toState: string | null;
  }>;
  unitsWithoutAnswers: Array<{ unitCode: string; unitName: string; calls: number }>;
  evacuations: ZoneProgress[];
  ordersPendingExecution: Array<{
    orderId: string;
    title: string;
    measure: string;
    unitName: string;
    state: string;
    escalationLevel: number;
    executeDeadlineAt: Date;
  }>;
  /**
   * 电话叫应: calls still silent after their 督办 reached the top of the path. The duty desk phones the person and
   * records the answer with POST /api/v1/calls/:id/manual-ack.
   */
  manualCalls: Array<{
    callTaskId: string;
    warningId: string;
    person: string;
    unitName: string | null;
    phone: string | null;
    since: Date;
  }>;
  /** Answers to 督办 (已收到督办 / 已联系上 / 已派人前往) of live warnings, newest first. */
  escalationAnswers: Array<{
    at: Date;
    warningId: string;
    person: string;
    response: string;
    silent: string[];
    note: string | null;
    who: string | null;
    eta: string | null;
  }>;
  /** 无匹配对象: warnings that called nobody, with the reason, until someone dismisses the flag. */
  unmatchedWarnings: Array<{
    id: string;
    headline: string;
    colour: string | null;
    sent: Date;
    reason: string;
    detail: string;
    at: Date;
  }>;
}

// Calls that wait for an answer, of live warnings, of people in the region.
const LIVE_CALLS = `
  SELECT t.id, t.warning_id, t.state, p.admin_unit_code AS unit, p.name, a.id AS ack_id
  FROM call_tasks t JOIN warnings w ON w.id = t.warning_id AND w.state = 'tracking' JOIN persons p ON p.id = t.person_id
  LEFT JOIN acknowledgements a ON a.call_task_id = t.id
  WHERE t.requires_ack AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')`;

/** The commander's one screen (一屏观全域), scoped to the caller's region. */
@Injectable()
export class BoardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly evacuations: EvacuationService,
    private readonly clock: Clock,
  ) {}

  async board(regionCode: string): Promise<Board> {
    const now = this.clock.now();
    const q = <T>(sql: string, params: unknown[] = [regionCode]) => this.dataSource.query<T>(sql, params);
    const [
      region,
      activeWarnings,
      townAckRates,
      openEscalations,
      unitsWithoutAnswers,
      ordersPendingExecution,
      evacuations,
      manualCalls,
      escalationAnswers,
      unmatchedWarnings,
    ] = await Promise.all([
      q<Array<{ name: string }>>(`SELECT name FROM admin_units WHERE code = $1`),
      q<Board['activeWarnings']>(
        `WITH c AS (${LIVE_CALLS})
         SELECT w.id, w.chain_id AS "chainId", w.version, w.headline, w.colour, w.sent,
                count(c.id)::int AS calls, count(c.ack_id)::int AS answered
         FROM warnings w JOIN c ON c.warning_id = w.id GROUP BY w.id ORDER BY w.level NULLS LAST, w.sent`,
      ),
      q<Board['townAckRates']>(
        `WITH c AS (${LIVE_CALLS})
         SELECT left(c.unit, 9) AS "townCode", u.name AS "townName", count(*)::int AS calls, count(c.ack_id)::int AS answered,
                round(count(c.ack_id)::numeric / count(*), 3)::float AS rate
         FROM c JOIN admin_units u ON u.code = left(c.unit, 9) WHERE length(c.unit) >= 9
         GROUP BY left(c.unit, 9), u.name ORDER BY rate, "townCode"`,
      ),
      q<Board['openEscalations']>(
        `SELECT e.id, e.warning_id AS "warningId", e.at, extract(epoch FROM ($2::timestamptz - e.at))::int AS "ageSeconds", e.reason,
                ft.id AS "fromTaskId", fp.name AS "fromPerson", tp.name AS "toPerson", tt.state AS "toState"
         FROM escalations e JOIN warnings w ON w.id = e.warning_id AND w.state = 'tracking'
         JOIN call_tasks ft ON ft.id = e.from_task_id JOIN persons fp ON fp.id = ft.person_id
         LEFT JOIN call_tasks tt ON tt.id = e.to_task_id LEFT JOIN persons tp ON tp.id = tt.person_id
         WHERE NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.call_task_id = ft.id)
           AND ($1 = '500000' OR fp.admin_unit_code LIKE $1 || '%')
         ORDER BY e.at, e.id LIMIT ${OPEN_ESCALATIONS_LIMIT}`,
        [regionCode, now],
      ),
      q<Board['unitsWithoutAnswers']>(
        `WITH c AS (${LIVE_CALLS})
         SELECT c.unit AS "unitCode", u.name AS "unitName", count(*)::int AS calls
         FROM c JOIN admin_units u ON u.code = c.unit GROUP BY c.unit, u.name HAVING count(c.ack_id) = 0 ORDER BY c.unit`,
      ),
      q<Board['ordersPendingExecution']>(
        `SELECT o.id AS "orderId", o.title, o.measure, ot.unit_name AS "unitName", ot.state, ot.escalation_level AS "escalationLevel",
                o.execute_deadline_at AS "executeDeadlineAt"
         FROM orders o JOIN order_targets ot ON ot.order_id = o.id
         WHERE o.state = 'ordered' AND ot.state <> 'executed' AND ($1 = '500000' OR o.region_code LIKE $1 || '%')
         ORDER BY o.execute_deadline_at, ot.unit_name`,
      ),
      this.evacuations.progress(regionCode),
      q<Board['manualCalls']>(
        `SELECT t.id AS "callTaskId", t.warning_id AS "warningId", p.name AS person, u.name AS "unitName", t.manual_call_at AS since,
                (SELECT c.address FROM contact_methods c WHERE c.person_id = p.id AND c.channel IN ('voice','sms') AND c.invalid_at IS NULL
                 ORDER BY (c.channel = 'voice') DESC, c.priority LIMIT 1) AS phone
         FROM call_tasks t JOIN warnings w ON w.id = t.warning_id AND w.state = 'tracking' JOIN persons p ON p.id = t.person_id
         LEFT JOIN admin_units u ON u.code = p.admin_unit_code
         WHERE t.manual_call_at IS NOT NULL AND t.state IN ${UNANSWERED_STATES_SQL}
           AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')
         ORDER BY t.manual_call_at, t.id LIMIT ${OPEN_ESCALATIONS_LIMIT}`,
      ),
      q<Board['escalationAnswers']>(
        `SELECT a.at, n.warning_id AS "warningId", p.name AS person, a.response, a.note, a.who, a.eta,
                array(SELECT sp.name FROM call_tasks st JOIN persons sp ON sp.id = st.person_id WHERE st.id = ANY(a.call_task_ids) ORDER BY sp.name) AS silent
         FROM escalation_answers a JOIN escalation_notices n ON n.id = a.notice_id JOIN warnings w ON w.id = n.warning_id AND w.state = 'tracking'
         JOIN persons p ON p.id = a.person_id
         WHERE ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')
         ORDER BY a.at DESC, a.id LIMIT ${OPEN_ESCALATIONS_LIMIT}`,
      ),
      q<Board['unmatchedWarnings']>(
        `SELECT w.id, w.headline, w.colour, w.sent, w.unmatched_reason AS reason, w.unmatched_detail AS detail, w.unmatched_at AS at
         FROM warnings w WHERE w.unmatched_reason IS NOT NULL AND w.unmatched_dismissed_at IS NULL AND ${VISIBLE_UNMATCHED_SQL('w', '$1')}
         ORDER BY w.unmatched_at, w.id LIMIT 100`,
      ),
    ]);
    return {
      at: now,
      regionCode,
      regionName: region[0]?.name ?? null,
      activeWarnings,
      townAckRates,
      openEscalations,
      unitsWithoutAnswers,
      evacuations: evacuations.filter((e) => e.state === 'in_progress'),
      ordersPendingExecution,
      manualCalls,
      escalationAnswers,
      unmatchedWarnings,
    };
  }
}
