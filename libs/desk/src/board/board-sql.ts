import { BOARD_COUNTER_ZH } from '@app/config';
import { WITHDRAWN_STATES_SQL } from '@app/database';

/**
 * The commander board's one view of a call task, in SQL: which counters (已叫/已送达/已应答/未到时限/已超时/已升级/
 * 无法联系/督办未响应) it counts in. Parameters: $1 the caller's region, $2 now (the injected Clock), $3 a warning id or
 * null for every warning being tracked. Only the warning's people inside the caller's region are counted.
 */
export const BOARD_FLAGS_CTE = `
  scope AS (
    SELECT t.id, t.warning_id, t.person_id, p.admin_unit_code AS unit, t.state, t.tier, t.requires_ack, t.deadline_at,
           t.overdue_since, t.manual_call_at, t.acknowledged_at, (t.acknowledged_at IS NOT NULL OR t.state = 'acknowledged') AS answered
    FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN persons p ON p.id = t.person_id
    WHERE t.state NOT IN ${WITHDRAWN_STATES_SQL}
      AND CASE WHEN $3::uuid IS NULL THEN w.state = 'tracking' ELSE w.id = $3::uuid END
      AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')),
  att AS (
    SELECT a.call_task_id AS id, bool_or(a.status = 'delivered') AS delivered,
           bool_or(a.status IN ('queued', 'sending', 'accepted', 'delivered')) AS live
    FROM attempts a JOIN scope s ON s.id = a.call_task_id GROUP BY a.call_task_id),
  esc AS (
    SELECT e.from_task_id AS id, bool_or(e.reason = 'unreachable') AS unreachable
    FROM escalations e JOIN scope s ON s.id = e.from_task_id GROUP BY e.from_task_id),
  sup AS (
    SELECT i.call_task_id AS id, bool_or(EXISTS (SELECT 1 FROM escalation_answers x WHERE x.notice_id = n.id)) AS answered
    FROM escalation_notice_items i JOIN scope s ON s.id = i.call_task_id
    JOIN escalation_notices n ON n.id = i.notice_id AND n.sent_at IS NOT NULL GROUP BY i.call_task_id),
  flags AS (
    SELECT s.*, coalesce(att.delivered, false) AS delivered, esc.id IS NOT NULL AS escalated,
           NOT s.answered AND (s.state = 'unreachable' OR coalesce(esc.unreachable, false) OR (att.id IS NOT NULL AND NOT att.live)) AS unreachable,
           sup.id IS NOT NULL AND NOT s.answered AND NOT sup.answered AS supervise_silent,
           s.requires_ack AND NOT s.answered AND (s.overdue_since IS NOT NULL OR s.deadline_at <= $2 OR s.state = 'unreachable') AS overdue,
           s.requires_ack AND NOT s.answered AND s.overdue_since IS NULL AND s.deadline_at > $2 AND s.state <> 'unreachable' AS running
    FROM scope s LEFT JOIN att ON att.id = s.id LEFT JOIN esc ON esc.id = s.id LEFT JOIN sup ON sup.id = s.id)`;

/** The counters, as names the api and the page share, and the SQL that counts each over `flags`. */
export const COUNTERS = {
  called: 'true',
  delivered: 'delivered',
  answered: 'answered',
  running: 'running',
  overdue: 'overdue',
  escalated: 'escalated',
  unreachable: 'unreachable',
  superviseSilent: 'supervise_silent',
} as const;

export type CounterName = keyof typeof COUNTERS;
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

export const COUNTER_ZH: Record<CounterName, string> = BOARD_COUNTER_ZH;

/** count(*) FILTER per counter, plus what the colours need: calls awaiting an answer and the earliest running deadline. */
export const COUNT_COLUMNS = [
  ...COUNTER_NAMES.map((n) => `count(*) FILTER (WHERE ${COUNTERS[n]})::int AS "${n}"`),
  `count(*) FILTER (WHERE requires_ack)::int AS "awaited"`,
  `min(deadline_at) FILTER (WHERE running) AS "nextDeadline"`,
  `min(coalesce(overdue_since, deadline_at)) FILTER (WHERE overdue) AS "overdueSince"`,
].join(', ');
