import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface DraftApproval {
  by: string;
  at: string;
}

export interface DraftReturn {
  by: string;
  at: string;
  comment: string;
}

/** A warning draft as stored; `Content` is the officer's warning (its shape is the alerts library's). */
export interface WarningDraftRow<Content = unknown> {
  id: string;
  state: 'draft' | 'issued' | 'discarded';
  updates_warning_id: string | null;
  content: Content;
  approvals_required: number;
  approvals: DraftApproval[];
  returned: DraftReturn | null;
  created_by: string;
  region_code: string;
  issued_warning_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A draft to write. */
export interface NewWarningDraft<Content = unknown> {
  updatesWarningId: string | null;
  content: Content;
  approvalsRequired: number;
  createdBy: string;
  regionCode: string;
}

/**
 * The only writer of `warning_drafts`, the warnings duty officers write: drafted, edited (approvals no longer count),
 * approved, returned to their author with a comment, and marked issued with the warning they became. The caller passes
 * its manager (its transaction's, where it runs in one).
 */
@Injectable()
export class WarningDraftsRepository {
  async add<C>(manager: EntityManager, d: NewWarningDraft<C>, now: Date): Promise<WarningDraftRow<C>> {
    const [row] = await manager.query<Array<WarningDraftRow<C>>>(
      `INSERT INTO warning_drafts (updates_warning_id, content, approvals_required, created_by, region_code, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
      [d.updatesWarningId, JSON.stringify(d.content), d.approvalsRequired, d.createdBy, d.regionCode, now],
    );
    return row;
  }

  /** The draft (locked with `lock`, for a change); null when there is none. */
  async find<C>(manager: EntityManager, id: string, lock = false): Promise<WarningDraftRow<C> | null> {
    const [row] = await manager.query<Array<WarningDraftRow<C>>>(
      `SELECT * FROM warning_drafts WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row ?? null;
  }

  /** New content: the approvals given so far and a return's comment are cleared. */
  async edit<C>(
    manager: EntityManager,
    id: string,
    content: C,
    approvalsRequired: number,
    now: Date,
  ): Promise<WarningDraftRow<C>> {
    return this.updated(
      manager,
      `UPDATE warning_drafts SET content = $2, approvals_required = $3, approvals = '[]', returned = NULL, updated_at = $4 WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(content), approvalsRequired, now],
    );
  }

  async setApprovals<C>(
    manager: EntityManager,
    id: string,
    approvals: DraftApproval[],
    now: Date,
  ): Promise<WarningDraftRow<C>> {
    return this.updated(
      manager,
      `UPDATE warning_drafts SET approvals = $2, updated_at = $3 WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(approvals), now],
    );
  }

  /** Sent back to its author with a comment; the approvals given so far are cleared. */
  async giveBack<C>(manager: EntityManager, id: string, returned: DraftReturn, now: Date): Promise<WarningDraftRow<C>> {
    return this.updated(
      manager,
      `UPDATE warning_drafts SET approvals = '[]', returned = $2, updated_at = $3 WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(returned), now],
    );
  }

  async markIssued(manager: EntityManager, id: string, warningId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE warning_drafts SET state = 'issued', issued_warning_id = $2, updated_at = $3 WHERE id = $1`,
      [id, warningId, now],
    );
  }

  /** The draft's warning exists already (issued, the draft not marked): marked now, its updated_at left as it was. */
  async catchUpIssued(manager: EntityManager, id: string, warningId: string): Promise<void> {
    await manager.query(`UPDATE warning_drafts SET state = 'issued', issued_warning_id = $2 WHERE id = $1`, [
      id,
      warningId,
    ]);
  }

  private async updated<C>(manager: EntityManager, sql: string, params: unknown[]): Promise<WarningDraftRow<C>> {
    const [[row]] = await manager.query<[Array<WarningDraftRow<C>>, number]>(sql, params);
    return row;
  }
}
