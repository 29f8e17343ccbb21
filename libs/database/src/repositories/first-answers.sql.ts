import type { EntityManager } from 'typeorm';
import { cancelQueuedForCallsSql } from './attempts.repository';
import { UNANSWERED_STATES_SQL } from '../call-task-states';
import { acknowledgeCallsSql } from './call-tasks.repository';
import { EVENT_INSERT_SQL } from './event-log';
import { PERFORMANCE_INSERT_SQL, ROLE_SLOTS_SQL } from './performance-records.repository';

/** One first answer to a call, checked and locked by the caller, to be written with others in one statement. */
export interface FirstAnswerRow {
  callTaskId: string;
  personId: string;
  warningId: string;
  method: string;
  response: string;
  note: string | null;
  headCount: number | null;
  late: boolean;
  at: Date;
  peersDue: boolean;
  eventType: string;
  actor: string;
  eventData: Record<string, unknown>;
  /** 履职记录 kind: answered, answered_late, cannot_comply */
  kind: string;
  performanceDetail: Record<string, unknown>;
}

/**
 * The writes of first answers read from `input` (a CTE with FirstAnswerRow's columns, snake_case): the answer, the
 * call's new state, its queued messages cancelled, the event and the 履职记录, as CTEs of one statement.
 */
const firstAnswerWritesSql = (input: string): string => `ack AS (
       INSERT INTO acknowledgements (call_task_id, person_id, method, response, note, head_count, late, acknowledged_at, peers_due)
       SELECT task_id, person_id, method, response, note, head_count, late, at, peers_due FROM ${input}),
     task AS (${acknowledgeCallsSql(input)}),
     queued AS (${cancelQueuedForCallsSql(input)}),
     event AS (${EVENT_INSERT_SQL} SELECT warning_id, task_id, event_type, actor, event_data, at FROM ${input}),
     performance AS (${PERFORMANCE_INSERT_SQL}
       SELECT c.person_id, c.warning_id, c.id, ${ROLE_SLOTS_SQL('c')}, ${input}.kind, ${input}.at, ${input}.detail
       FROM ${input} JOIN call_tasks c ON c.id = ${input}.task_id)`;

/**
 * Writes first answers, any number in one statement: the answer, the call's new state, its queued messages cancelled,
 * the event and the 履职记录. The caller holds the calls' locks and has checked that none is answered or closed.
 */
export async function writeFirstAnswers(tx: EntityManager, rows: FirstAnswerRow[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const col = <T>(f: (r: FirstAnswerRow) => T) => rows.map(f);
  await tx.query(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[], $7::int[],
                            $8::boolean[], $9::timestamptz[], $10::boolean[], $11::varchar[], $12::varchar[], $13::jsonb[],
                            $14::varchar[], $15::jsonb[])
         AS i(task_id, person_id, warning_id, method, response, note, head_count, late, at, peers_due, event_type, actor,
              event_data, kind, detail)),
     ${firstAnswerWritesSql('i')}
     SELECT count(*) FROM i`,
    [
      col((r) => r.callTaskId),
      col((r) => r.personId),
      col((r) => r.warningId),
      col((r) => r.method),
      col((r) => r.response),
      col((r) => r.note),
      col((r) => r.headCount),
      col((r) => r.late),
      col((r) => r.at.toISOString()),
      col((r) => r.peersDue),
      col((r) => r.eventType),
      col((r) => r.actor),
      col((r) => JSON.stringify(r.eventData)),
      col((r) => r.kind),
      col((r) => JSON.stringify(r.performanceDetail)),
    ],
  );
}

/** The who-answered notices (PeerNotices) about these answers have been dealt with. */
export async function clearPeersDue(tx: EntityManager, callTaskIds: string[]): Promise<void> {
  await tx.query(`UPDATE acknowledgements SET peers_due = false WHERE call_task_id = ANY($1::uuid[])`, [callTaskIds]);
}

/** A plain first answer (已收到, 已到岗: nothing but the record) as asked, for recordPlainAnswers. */
export interface PlainAnswer {
  callTaskId: string;
  personId: string;
  method: string;
  response: string;
  note: string | null;
  at: Date;
  actor: string;
  /** Whether the others of the call's zone are told (PeerNotices.wanted) while its warning is tracked. */
  peersIfTracking: boolean;
}

/** The locked call a first answer is checked against. */
export interface AnsweredCall {
  id: string;
  warning_id: string;
  person_id: string;
  state: string;
  warning_state: string;
  msg_type: string;
  /** When the call was planned (for the time to answer in /metrics). */
  created_at: Date;
}

/**
 * One answer's call (`id` null: no such call; its state as locked, or as read when answered before) and what became
 * of the answer: written now, answered before (`prior_*`), or neither.
 */
export interface PlainAnswerOutcome extends Omit<AnsweredCall, 'id'> {
  id: string | null;
  written: boolean;
  late: boolean | null;
  peers_due: boolean | null;
  prior_response: string | null;
  prior_late: boolean | null;
  prior_at: Date | null;
}

/**
 * Plain first answers, checked and written in one statement (its own transaction): the warnings locked shared and
 * then the calls, each in id order, as every answer path takes them; a call answered before is only read (a repeat,
 * no lock). An answer is written when its call is the person's, unanswered as locked (a lock waited for returns the
 * row as committed, so an answer committed meanwhile shows as state 'acknowledged'), and a lift notice gets 已收到;
 * a call twice in the batch is written once. The unique answer per call stays the last guard: a violation fails the
 * whole statement, nothing written. Outcomes come in the order given.
 */
export async function recordPlainAnswers(
  manager: EntityManager,
  answers: PlainAnswer[],
): Promise<PlainAnswerOutcome[]> {
  const col = <T>(f: (a: PlainAnswer) => T) => answers.map(f);
  const late = `c.state = 'escalated'`;
  const detail = `jsonb_strip_nulls(jsonb_build_object('method', g.method, 'response', g.response, 'note', g.note))`;
  return manager.query<PlainAnswerOutcome[]>(
    `WITH given AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::timestamptz[],
                            $7::varchar[], $8::boolean[])
         WITH ORDINALITY AS g(task_id, person_id, method, response, note, at, actor, peers_if_tracking, ord)),
     prior AS MATERIALIZED (
       SELECT call_task_id, response, late, acknowledged_at FROM acknowledgements WHERE call_task_id = ANY($1::uuid[])),
     open AS MATERIALIZED (SELECT task_id FROM given EXCEPT SELECT call_task_id FROM prior),
     locked_warnings AS MATERIALIZED (
       SELECT w.id, w.state, w.msg_type FROM warnings w
       WHERE w.id IN (SELECT warning_id FROM call_tasks WHERE id IN (SELECT task_id FROM open)) ORDER BY w.id FOR SHARE),
     locked_calls AS MATERIALIZED (
       SELECT c.id, c.warning_id, c.person_id, c.state, c.created_at FROM call_tasks c
       WHERE c.id IN (SELECT task_id FROM open) AND (SELECT count(*) FROM locked_warnings) > 0
       ORDER BY c.id FOR NO KEY UPDATE),
     i AS (
       SELECT DISTINCT ON (g.task_id) g.ord, g.task_id, c.person_id, c.warning_id, g.method, g.response, g.note,
              NULL::int AS head_count, ${late} AS late, g.at, g.peers_if_tracking AND w.state = 'tracking' AS peers_due,
              CASE WHEN ${late} THEN 'CallAcknowledgedLate' ELSE 'CallAcknowledged' END AS event_type, g.actor,
              ${detail} AS event_data, CASE WHEN ${late} THEN 'answered_late' ELSE 'answered' END AS kind, ${detail} AS detail
       FROM given g JOIN locked_calls c ON c.id = g.task_id JOIN locked_warnings w ON w.id = c.warning_id
       WHERE c.person_id = g.person_id AND c.state IN ${UNANSWERED_STATES_SQL}
         AND (w.msg_type <> 'cancel' OR g.response = 'received')
       ORDER BY g.task_id, g.ord),
     ${firstAnswerWritesSql('i')}
     SELECT coalesce(c.id, s.id) AS id, coalesce(c.warning_id, s.warning_id) AS warning_id,
            coalesce(c.person_id, s.person_id) AS person_id, coalesce(c.state, s.state) AS state,
            coalesce(w.state, sw.state) AS warning_state, coalesce(w.msg_type, sw.msg_type) AS msg_type,
            coalesce(c.created_at, s.created_at) AS created_at, i.ord IS NOT NULL AS written, i.late, i.peers_due,
            p.response AS prior_response, p.late AS prior_late, p.acknowledged_at AS prior_at
     FROM given g
     LEFT JOIN locked_calls c ON c.id = g.task_id LEFT JOIN locked_warnings w ON w.id = c.warning_id
     LEFT JOIN call_tasks s ON s.id = g.task_id AND c.id IS NULL LEFT JOIN warnings sw ON sw.id = s.warning_id
     LEFT JOIN prior p ON p.call_task_id = g.task_id LEFT JOIN i ON i.ord = g.ord
     ORDER BY g.ord`,
    [
      col((a) => a.callTaskId),
      col((a) => a.personId),
      col((a) => a.method),
      col((a) => a.response),
      col((a) => a.note),
      col((a) => a.at.toISOString()),
      col((a) => a.actor),
      col((a) => a.peersIfTracking),
    ],
  );
}
