import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CallReason, ProgressStep } from '@app/database';
import { CallProgressRepository, EvacuationsRepository } from '@app/database';

export type { ProgressStep } from '@app/database';

export interface ProgressEntry {
  step: ProgressStep;
  headCount: number | null;
  at: Date;
  /** Whether the head count went into an evacuation's reports (转移台账). */
  inEvacuationReports: boolean;
}

/** Progress a person reports on a call after the first answer, and the head counts it hands to an evacuation. */
@Injectable()
export class CallProgress {
  constructor(
    private readonly progress: CallProgressRepository,
    private readonly evacuations: EvacuationsRepository,
  ) {}

  async of(manager: EntityManager, callTaskId: string): Promise<ProgressEntry[]> {
    const rows = await this.progress.of(manager, callTaskId);
    return rows.map((r) => ({
      step: r.step,
      headCount: r.head_count,
      at: r.reported_at,
      inEvacuationReports: r.evacuation_report_id !== null,
    }));
  }

  /**
   * A head count reported from a call's page goes into the reports of the evacuation in progress for one of the
   * call's zones in the warning's chain (households unknown: 0). Returns the report's id, or null when none is open.
   */
  async reportToEvacuation(
    tx: EntityManager,
    task: { warning_id: string; person_id: string; reasons: CallReason[] },
    headCount: number,
    now: Date,
  ): Promise<string | null> {
    const zones = task.reasons.filter((r) => r.targetType === 'zone' && r.targetId).map((r) => r.targetId as string);
    if (zones.length === 0) {
      return null;
    }
    const evac = await this.evacuations.lockInProgressFor(tx, task.warning_id, zones);
    if (!evac) {
      return null;
    }
    return this.evacuations.addReport(tx, {
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
  async record(
    tx: EntityManager,
    task: { id: string; warning_id: string; person_id: string; reasons: CallReason[]; first_response: string },
    input: { step: ProgressStep; headCount: number | null; note: string | null },
    now: Date,
  ): Promise<ProgressEntry | null> {
    if (
      input.step === 'on_post' &&
      (task.first_response === 'on_post' || (await this.progress.onPostReported(tx, task.id)))
    ) {
      return null;
    }
    const headCount = input.step === 'evacuating' ? input.headCount : null;
    const reportId =
      headCount !== null && headCount > 0 ? await this.reportToEvacuation(tx, task, headCount, now) : null;
    await this.progress.add(tx, {
      callTaskId: task.id,
      personId: task.person_id,
      step: input.step,
      headCount,
      note: input.note,
      evacuationReportId: reportId,
      reportedAt: now,
    });
    return { step: input.step, headCount, at: now, inEvacuationReports: reportId !== null };
  }
}
