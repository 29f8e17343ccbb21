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

/** One climb of a call: the calls it reached. */
export interface EscalationRow {
  warningId: string;
  fromTaskId: string;
  toTaskIds: Array<string | null>;
  reason: string;
  at: Date;
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
  /** Each call `fromTaskId` climbed to these calls (null: a person without a call of their own yet), in one statement. */
  async record(manager: EntityManager, climbs: EscalationRow[]): Promise<void> {
    const rows = climbs.flatMap((c) => c.toTaskIds.map((to) => ({ ...c, to })));
    if (rows.length === 0) {
      return;
    }
    await manager.query(
      `INSERT INTO escalations (warning_id, from_task_id, to_task_id, reason, at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::timestamptz[])`,
      [
        rows.map((r) => r.warningId),
        rows.map((r) => r.fromTaskId),
        rows.map((r) => r.to),
        rows.map((r) => r.reason),
        rows.map((r) => r.at),
      ],
    );
  }

  /**
   * Several silent calls added to their people's notices at once: the notices missing are opened in one statement
   * (in key order, so two gatherers never wait on each other in a circle), the items added in another. A notice
   * reached by any input at the top of its path is marked top. Returns the notices opened here.
   */
  async gather(manager: EntityManager, inputs: GatherInput[], now: Date): Promise<string[]> {
    // One key per notice, sortable as text: the order the notices are opened in, the same in every gatherer.
    const noticeKey = (w: string, p: string, r: number) => `${w}|${p}|${String(r).padStart(6, '0')}`;
    const notices = new Map<string, { w: string; p: string; r: number; top: boolean; due: Date | null }>();
    const items: Array<{ key: string; task: string }> = [];
    for (const g of inputs) {
      for (const person of new Set(g.personIds)) {
        const key = noticeKey(g.warningId, person, g.round);
        const known = notices.get(key);
        // The first call of a notice sets its deadline, as when the calls came one by one.
        notices.set(
          key,
          known
            ? { ...known, top: known.top || g.top }
            : { w: g.warningId, p: person, r: g.round, top: g.top, due: g.deadlineAt },
        );
        items.push({ key, task: g.callTaskId });
      }
    }
    if (notices.size === 0) {
      return [];
    }
    const keys = [...notices.keys()].sort().map((key) => notices.get(key)!);
    const opened = await manager.query<Array<{ id: string; warning_id: string; person_id: string; round: number }>>(
      `INSERT INTO escalation_notices (warning_id, person_id, round, top, deadline_at, created_at, updated_at)
       SELECT x.w, x.p, x.r, x.top, x.due, $6, $6
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::boolean[], $5::timestamptz[]) WITH ORDINALITY AS x(w, p, r, top, due, i)
       ORDER BY x.i
       ON CONFLICT (warning_id, person_id, round) DO NOTHING
       RETURNING id, warning_id, person_id, round`,
      [
        keys.map((k) => k.w),
        keys.map((k) => k.p),
        keys.map((k) => k.r),
        keys.map((k) => k.top),
        keys.map((k) => k.due),
        now,
      ],
    );
    const of = items.map((i) => notices.get(i.key)!);
    await manager.query(
      `INSERT INTO escalation_notice_items (notice_id, call_task_id, added_at)
       SELECT n.id, x.t, $5 FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[]) AS x(w, p, r, t)
       JOIN escalation_notices n ON n.warning_id = x.w AND n.person_id = x.p AND n.round = x.r
       ON CONFLICT DO NOTHING`,
      [of.map((k) => k.w), of.map((k) => k.p), of.map((k) => k.r), items.map((i) => i.task), now],
    );
    const isOpened = new Set(opened.map((o) => noticeKey(o.warning_id, o.person_id, o.round)));
    const toTop = [...notices.entries()].filter(([key, k]) => k.top && !isOpened.has(key)).map(([, k]) => k);
    if (toTop.length > 0) {
      // Another path opened it below the top: this round reaches the top of a path for this person too.
      await manager.query(
        `UPDATE escalation_notices n SET top = true FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS x(w, p, r)
         WHERE n.warning_id = x.w AND n.person_id = x.p AND n.round = x.r AND NOT n.top AND n.sent_at IS NULL`,
        [toTop.map((k) => k.w), toTop.map((k) => k.p), toTop.map((k) => k.r)],
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
