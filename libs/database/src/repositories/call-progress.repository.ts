import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What a person may report after the first answer. */
export type ProgressStep = 'on_post' | 'evacuating';

/** A progress report as stored; `evacuation_report_id` when its head count went into an evacuation's reports. */
export interface CallProgressRow {
  step: ProgressStep;
  head_count: number | null;
  reported_at: Date;
  evacuation_report_id: string | null;
}

/** A progress report to write. */
export interface NewCallProgressRow {
  callTaskId: string;
  personId: string;
  step: ProgressStep;
  headCount: number | null;
  note: string | null;
  evacuationReportId: string | null;
  reportedAt: Date;
}

/**
 * The only writer of `call_progress`: what a person reports from a call's page after the first answer (已到岗, 已组织转移
 * with a head count). The caller passes its transaction's manager.
 */
@Injectable()
export class CallProgressRepository {
  /** The call's reports, oldest first. */
  async of(manager: EntityManager, callTaskId: string): Promise<CallProgressRow[]> {
    return manager.query<CallProgressRow[]>(
      `SELECT step, head_count, reported_at, evacuation_report_id FROM call_progress WHERE call_task_id = $1 ORDER BY reported_at, id`,
      [callTaskId],
    );
  }

  /** Whether the call already reported 已到岗. */
  async onPostReported(manager: EntityManager, callTaskId: string): Promise<boolean> {
    const [seen] = await manager.query<unknown[]>(
      `SELECT 1 FROM call_progress WHERE call_task_id = $1 AND step = 'on_post'`,
      [callTaskId],
    );
    return !!seen;
  }

  async add(manager: EntityManager, p: NewCallProgressRow): Promise<void> {
    await manager.query(
      `INSERT INTO call_progress (call_task_id, person_id, step, head_count, note, evacuation_report_id, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [p.callTaskId, p.personId, p.step, p.headCount, p.note, p.evacuationReportId, p.reportedAt],
    );
  }
}
