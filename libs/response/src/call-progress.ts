import type { EntityManager } from 'typeorm';
import type { CallReason, EvacuationsRepository } from '@app/database';

/** What a person may report after the first answer. */
export type ProgressStep = 'on_post' | 'evacuating';

export interface ProgressEntry {
  step: ProgressStep;
  headCount: number | null;
  at: Date;
  /** Whether the head count went into an evacuation's reports (转移台账). */
  inEvacuationReports: boolean;
}

export async function progressOf(manager: EntityManager, callTaskId: string): Promise<ProgressEntry[]> {
  const rows = await manager.query<Array<{ step: ProgressStep; head_count: number | null; reported_at: Date; report: string | null }>>(
    `SELECT step, head_count, reported_at, evacuation_report_id AS report FROM call_progress WHERE call_task_id = $1 ORDER BY reported_at, id`,
    [callTaskId],
  );
  return rows.map((r) => ({ step: r.step, headCount: r.head_count, at: r.reported_at, inEvacuationReports: r.report !== null }));
}

/**
 * A head count reported from a call's page goes into the reports of the evacuation in progress for one of the
 * call's zones in the warning's chain (households unknown: 0). Returns the report's id, or null when none is open.
 */
export async function reportToEvacuation(
  tx: EntityManager,
  evacuations: EvacuationsRepository,
  task: { warning_id: string; person_id: string; reasons: CallReason[] },
  headCount: number,
  now: Date,
): Promise<string | null> {
  const zones = task.reasons.filter((r) => r.targetType === 'zone' && r.targetId).map((r) => r.targetId as string);
  if (zones.length === 0) {
    return null;
  }
  const evac = await evacuations.lockInProgressFor(tx, task.warning_id, zones);
  if (!evac) {
    return null;
  }
  return evacuations.addReport(tx, {
    evacuationId: evac.id,
    shelterId: evac.shelter_id,
    households: 0,
    persons: headCount,
    note: '叫应页面上报（户数未填）',
    reportedBy: `person:${task.person_id}`,
    reportedAt: now,
  });
}

/** One progress report; a repeated 已到岗 records nothing. Returns null when nothing new was recorded. */
export async function recordProgress(
  tx: EntityManager,
  evacuations: EvacuationsRepository,
  task: { id: string; warning_id: string; person_id: string; reasons: CallReason[]; first_response: string },
  input: { step: ProgressStep; headCount: number | null; note: string | null },
  now: Date,
): Promise<ProgressEntry | null> {
  if (input.step === 'on_post') {
    const [seen] = await tx.query<unknown[]>(`SELECT 1 FROM call_progress WHERE call_task_id = $1 AND step = 'on_post'`, [task.id]);
    if (seen || task.first_response === 'on_post') {
      return null;
    }
  }
  const headCount = input.step === 'evacuating' ? input.headCount : null;
  const reportId = headCount !== null && headCount > 0 ? await reportToEvacuation(tx, evacuations, task, headCount, now) : null;
  await tx.query(
    `INSERT INTO call_progress (call_task_id, person_id, step, head_count, note, evacuation_report_id, reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [task.id, task.person_id, input.step, headCount, input.note, reportId, now],
  );
  return { step: input.step, headCount, at: now, inEvacuationReports: reportId !== null };
}
