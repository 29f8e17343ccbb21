import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A person's 督办 of one round of a warning, to open (or join) for a silent call. */
export interface GatherInput {
  warningId: string;
  personIds: string[];
  callTaskId: string;
  round: number;
  top: boolean;
  deadlineAt: Date | null;
}

/** An answer to a 督办: what its person did about the calls it names. */
export interface EscalationAnswerRow {
  noticeId: string;
  personId: string;
  response: string;
  callTaskIds: string[];
  note: string | null;
  who: string | null;
  eta: string | null;
  at: Date;
}

/**
 * The only writer of the escalation tables: `escalations` (a silent call climbed to these calls) and the 督办 of a
 * round, `escalation_notices` with its `escalation_notice_items` (the silent calls it names) and
 * `escalation_answers`. The caller passes its transaction's manager.
 */
@Injectable()
export class EscalationsRepository {
  /** The call `fromTaskId` climbed to these calls (null: a person without a call of their own yet). */
  async record(
    manager: EntityManager,
    e: { warningId: string; fromTaskId: string; toTaskIds: Array<string | null>; reason: string; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO escalations (warning_id, from_task_id, to_task_id, reason, at)
       SELECT $1, $2, unnest($3::uuid[]), $4, $5`,
      [e.warningId, e.fromTaskId, e.toTaskIds, e.reason, e.at],
    );
  }

  /**
   * Adds the silent call to each person's 督办 of the round, opening those not open yet (persons sorted, so two
   * gatherers lock in one order). A round reaching the top of a path for a person marks their 督办 top while unsent.
   * Returns the ids opened here.
   */
  async gather(manager: EntityManager, input: GatherInput, people: string[], now: Date): Promise<string[]> {
    const opened = await manager.query<Array<{ id: string }>>(
      `INSERT INTO escalation_notices (warning_id, person_id, round, top, deadline_at, created_at, updated_at)
       SELECT $1, p, $2, $3, $4, $5, $5 FROM unnest($6::uuid[]) AS p ORDER BY p
       ON CONFLICT (warning_id, person_id, round) DO NOTHING
       RETURNING id`,
      [input.warningId, input.round, input.top, input.deadlineAt, now, people],
    );
    await manager.query(
      `INSERT INTO escalation_notice_items (notice_id, call_task_id, added_at)
       SELECT n.id, $4, $5 FROM escalation_notices n
       WHERE n.warning_id = $1 AND n.person_id = ANY($2::uuid[]) AND n.round = $3
       ON CONFLICT DO NOTHING`,
      [input.warningId, people, input.round, input.callTaskId, now],
    );
    if (input.top && opened.length < people.length) {
      // Another path opened it below the top: this round reaches the top of a path for this person too.
      await manager.query(
        `UPDATE escalation_notices SET top = true
         WHERE warning_id = $1 AND person_id = ANY($2::uuid[]) AND round = $3 AND NOT top AND sent_at IS NULL`,
        [input.warningId, people, input.round],
      );
    }
    return opened.map((o) => o.id);
  }

  /** The 督办 went out (or was settled with nothing to send). */
  async markNoticeSent(manager: EntityManager, noticeId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE escalation_notices SET sent_at = $2, updated_at = $2 WHERE id = $1`, [noticeId, now]);
  }

  async addAnswer(manager: EntityManager, a: EscalationAnswerRow): Promise<void> {
    await manager.query(
      `INSERT INTO escalation_answers (notice_id, person_id, response, call_task_ids, note, who, eta, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.noticeId, a.personId, a.response, a.callTaskIds, a.note, a.who, a.eta, a.at],
    );
  }
}
