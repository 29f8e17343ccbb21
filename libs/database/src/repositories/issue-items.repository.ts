import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IssueState } from '../entities/response-records.entity';

/** One repeat non-responder to put on the problem list (问题清单), resting on the last warning they did not answer. */
export interface RepeatOffenderIssue {
  personId: string;
  unitCode: string;
  chainId: string;
  warningId: string;
  title: string;
  detail: Record<string, unknown>;
}

/** An item locked to be moved on. */
export interface LockedIssue {
  id: string;
  state: IssueState;
  warning_id: string;
}

/** One step of an item's history. */
export interface IssueMove {
  from: IssueState;
  to: IssueState;
  at: string;
  actor: string;
  note?: string;
}

/** SQL: who owns an item about the person in that unit: their 包干 leader, else the county duty officer. */
const ownerSql = (unitCode: string, personId: string) => `coalesce(
  (SELECT c.leader_person_id FROM contracting_assignments c
   WHERE c.admin_unit_code = ${unitCode} AND c.leader_person_id <> ${personId} ORDER BY c.level DESC LIMIT 1),
  (SELECT a.person_id FROM responsibility_assignments a WHERE a.role_slot = 'duty_officer'
   AND a.target_type = 'unit' AND a.target_id = left(${unitCode}, 6) ORDER BY a.id LIMIT 1))`;

/**
 * The only writer of `issue_items`, the problem list (问题清单): the items a closure finds in a chain's calls, the
 * repeat non-responders a commander lists, and each item's moves until it is struck off (销号). The caller passes its
 * transaction's manager.
 */
@Injectable()
export class IssueItemsRepository {
  /**
   * An item per call of these versions that needed an answer and got none in time (late, unreachable, or silent and
   * escalated), one per call and kind. Returns the ids added.
   */
  async addForClosure(manager: EntityManager, chainId: string, warningIds: string[], now: Date): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO issue_items (chain_id, warning_id, call_task_id, person_id, owner_person_id, unit_code, kind, title, state,
                                created_at, updated_at)
       SELECT $2, t.warning_id, t.id, t.person_id, ${ownerSql('p.admin_unit_code', 'p.id')}, p.admin_unit_code, k.kind,
         left(p.name || CASE k.kind WHEN 'unreachable' THEN '：联系方式无效，无法叫应，请更新名册号码与B角'
                                    WHEN 'late_answer' THEN '：叫应超时后才应答'
                                    ELSE '：叫应未应答，已逐级上报' END || '（' || w.headline || '）', 300),
         'open', $3, $3
       FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
       LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       CROSS JOIN LATERAL (SELECT CASE WHEN a.late THEN 'late_answer'
                                       WHEN a.id IS NULL AND EXISTS (SELECT 1 FROM escalations e WHERE e.from_task_id = t.id AND e.reason = 'unreachable') THEN 'unreachable'
                                       WHEN a.id IS NULL AND t.state = 'escalated' THEN 'no_answer' END AS kind) k
       WHERE t.warning_id = ANY($1::uuid[]) AND t.requires_ack AND k.kind IS NOT NULL
       ON CONFLICT (call_task_id, kind) DO NOTHING RETURNING id`,
      [warningIds, chainId, now],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Adds an open item per person, owned like closure items. A person who already has a repeat-offender item not yet
   * struck off keeps it: returns only the ids added.
   */
  async addRepeatOffenders(
    manager: EntityManager,
    items: RepeatOffenderIssue[],
    now: Date,
  ): Promise<Array<{ id: string; personId: string }>> {
    if (items.length === 0) {
      return [];
    }
    return manager.query<Array<{ id: string; personId: string }>>(
      `INSERT INTO issue_items (chain_id, warning_id, person_id, owner_person_id, unit_code, kind, title, state, detail, created_at, updated_at)
       SELECT i.chain_id, i.warning_id, i.person_id, ${ownerSql('i.unit_code', 'i.person_id')},
         i.unit_code, 'repeat_no_answer', left(i.title, 300), 'open', i.detail, $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS i(person_id uuid, unit_code varchar, chain_id uuid, warning_id uuid, title text, detail jsonb)
       ON CONFLICT (person_id) WHERE kind = 'repeat_no_answer' AND state <> 'closed' DO NOTHING
       RETURNING id, person_id AS "personId"`,
      [
        JSON.stringify(
          items.map((i) => ({
            person_id: i.personId,
            unit_code: i.unitCode,
            chain_id: i.chainId,
            warning_id: i.warningId,
            title: i.title,
            detail: i.detail,
          })),
        ),
        now,
      ],
    );
  }

  /** Locks an item of a unit in the region (`regionPrefix`: '' for all); null when there is none. */
  async lockInRegion(manager: EntityManager, id: string, regionPrefix: string): Promise<LockedIssue | null> {
    const [item] = await manager.query<LockedIssue[]>(
      `SELECT id, state, warning_id FROM issue_items WHERE id = $1 AND unit_code LIKE $2 || '%' FOR UPDATE`,
      [id, regionPrefix],
    );
    return item ?? null;
  }

  /** The item moves on, the step appended to its history; closed (销号) stamps when. */
  async move(manager: EntityManager, id: string, step: IssueMove, now: Date): Promise<void> {
    await manager.query(
      `UPDATE issue_items SET state = $2::varchar, history = history || $3::jsonb, updated_at = $4,
              closed_at = CASE WHEN $2::varchar = 'closed' THEN $4::timestamptz END WHERE id = $1`,
      [id, step.to, JSON.stringify([step]), now],
    );
  }
}
