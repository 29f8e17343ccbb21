import type { EntityManager } from 'typeorm';
import { cancelQueuedForCallsSql } from './attempts.repository';
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
     ack AS (
       INSERT INTO acknowledgements (call_task_id, person_id, method, response, note, head_count, late, acknowledged_at, peers_due)
       SELECT task_id, person_id, method, response, note, head_count, late, at, peers_due FROM i),
     task AS (${acknowledgeCallsSql('i')}),
     queued AS (${cancelQueuedForCallsSql('i')}),
     event AS (${EVENT_INSERT_SQL} SELECT warning_id, task_id, event_type, actor, event_data, at FROM i)
     ${PERFORMANCE_INSERT_SQL}
     SELECT t.person_id, t.warning_id, t.id, ${ROLE_SLOTS_SQL('t')}, i.kind, i.at, i.detail FROM i JOIN call_tasks t ON t.id = i.task_id`,
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
