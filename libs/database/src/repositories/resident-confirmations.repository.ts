import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What a caller confirmed of one resident on a call (一对一叫应). */
export interface ResidentConfirmationRow {
  callTaskId: string;
  residentId: string;
  warningId: string;
  informed: boolean;
  evacuationArranged: boolean;
  note: string | null;
  actor: string;
  at: Date;
}

/**
 * The only writer of `resident_confirmations`: per call and vulnerable resident, 已当面告知 and 已安排转移. The caller
 * passes its transaction's manager.
 */
@Injectable()
export class ResidentConfirmationsRepository {
  /** The first time each step is confirmed stands; a later note replaces the earlier one. */
  async confirm(manager: EntityManager, c: ResidentConfirmationRow): Promise<void> {
    await manager.query(
      `INSERT INTO resident_confirmations (call_task_id, special_resident_id, warning_id, informed_at, evacuation_arranged_at,
                                           note, actor, updated_at)
       VALUES ($1, $2, $3, CASE WHEN $4 THEN $7::timestamptz END, CASE WHEN $5 THEN $7::timestamptz END, $6, $8, $7)
       ON CONFLICT (call_task_id, special_resident_id) DO UPDATE SET
         informed_at = coalesce(resident_confirmations.informed_at, EXCLUDED.informed_at),
         evacuation_arranged_at = coalesce(resident_confirmations.evacuation_arranged_at, EXCLUDED.evacuation_arranged_at),
         note = coalesce(EXCLUDED.note, resident_confirmations.note), actor = EXCLUDED.actor, updated_at = EXCLUDED.updated_at`,
      [c.callTaskId, c.residentId, c.warningId, c.informed, c.evacuationArranged, c.note, c.at, c.actor],
    );
  }
}
