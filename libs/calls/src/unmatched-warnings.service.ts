import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { EventLog, inRegionSql, UnmatchedReason, WarningsRepository } from '@app/database';
import { NoticeService } from './notice.service';

/** What the matcher saw when nobody was found. */
export interface MatchSummary {
  hasArea: boolean;
  units: number;
  zones: number;
  objects: number;
  hazardType: string;
}

const UNMATCHED_TEXT: Record<UnmatchedReason, string> = {
  no_area: '预警未给出范围（无多边形、圆形或区划代码） (the warning gives no area)',
  outside_units: '预警范围不在任何已知行政区内 (area outside every known unit)',
  no_zones_or_objects: '范围内没有该灾种的风险区或防护对象 (no risk zones or objects of this hazard in the area)',
  no_persons: '范围内的风险区、对象和单位均无在岗责任人 (nobody is on the roster of what the area covers)',
};

/** The reason a warning matched nobody, from what matching found (pure). */
export function unmatchedReason(m: MatchSummary): { reason: UnmatchedReason; detail: string } {
  const reason: UnmatchedReason = !m.hasArea
    ? 'no_area'
    : m.units + m.zones + m.objects === 0
      ? 'outside_units'
      : m.zones + m.objects === 0
        ? 'no_zones_or_objects'
        : 'no_persons';
  const counts = `灾种 ${m.hazardType}，涉及单位 ${m.units} 个、风险区 ${m.zones} 个、对象 ${m.objects} 个`;
  return { reason, detail: `${UNMATCHED_TEXT[reason]}；${counts}` };
}

/** A warning visible to a region: by its area or calls, or, when it lies outside every unit, to every duty desk. */
export const VISIBLE_UNMATCHED_SQL = (w: string, param: string) =>
  `(${inRegionSql(w, param)} OR ${w}.unmatched_reason IN ('no_area','outside_units'))`;

/**
 * 无匹配对象: a warning that called nobody is flagged with the reason, the duty desk is told (a notice per duty
 * officer of the area's counties, or of every county when the area is in none), and the flag stays on the
 * warning and the board until someone dismisses it (audited).
 */
@Injectable()
export class UnmatchedWarnings {
  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly notices: NoticeService,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In the matcher's transaction; returns notice ids to enqueue after commit. */
  async flag(tx: EntityManager, warningId: string, summary: MatchSummary, now: Date): Promise<string[]> {
    const { reason, detail } = unmatchedReason(summary);
    await this.warnings.flagUnmatched(tx, warningId, reason, detail, now);
    const [w] = await tx.query<Array<{ headline: string; is_drill: boolean }>>(
      `SELECT headline, is_drill FROM warnings WHERE id = $1`,
      [warningId],
    );
    await this.events.append({ type: 'WarningUnmatched', warningId, data: { reason, detail, ...summary } }, tx);
    const desk = await this.dutyDesk(tx, warningId);
    const subject = `${w.is_drill ? '【演练】' : ''}【无匹配对象】${w.headline}`;
    const body = `${subject}\n该预警未匹配到任何责任人，无人被叫应。\n原因：${detail}\n请核对预警范围与责任人名册，处理后在看板上确认。\n${this.config.http.publicBaseUrl}/console/board`;
    return this.notices.write(
      tx,
      desk.map((personId) => ({
        personId,
        kind: 'warning_unmatched',
        warningId,
        dedupeKey: `unmatched-${warningId}-${personId}`,
        subject,
        body,
      })),
      now,
    );
  }

  /** Clears the flag from the board; the reason stays on the warning and the event log says who and why. */
  async dismiss(warningId: string, regionCode: string, actor: string, note: string | null) {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<Array<{ unmatched_reason: string | null; unmatched_dismissed_at: Date | null }>>(
        `SELECT w.unmatched_reason, w.unmatched_dismissed_at FROM warnings w WHERE w.id = $1 AND ${VISIBLE_UNMATCHED_SQL('w', '$2')} FOR UPDATE`,
        [warningId, regionCode],
      );
      if (!w) {
        throw new NotFoundError(`warning ${warningId} not found（预警不存在）`);
      }
      if (w.unmatched_reason === null) {
        throw new ConflictError(
          '该预警已匹配到责任人，没有“无匹配对象”标记可处理 (the warning is not flagged as unmatched)',
        );
      }
      if (w.unmatched_dismissed_at !== null) {
        throw new ConflictError('“无匹配对象”标记已处理过 (already dismissed)');
      }
      await this.warnings.dismissUnmatched(tx, warningId, now, actor);
      await this.events.append(
        { type: 'UnmatchedDismissed', warningId, actor, data: { reason: w.unmatched_reason, note } },
        tx,
      );
      return {
        id: warningId,
        unmatched: { reason: w.unmatched_reason, dismissedAt: now.toISOString(), dismissedBy: actor },
      };
    });
  }

  /** Duty officers of the counties the area touches; of every county when it touches none. */
  private async dutyDesk(tx: EntityManager, warningId: string): Promise<string[]> {
    const rows = await tx.query<Array<{ person_id: string; local: boolean }>>(
      `SELECT DISTINCT a.person_id, EXISTS (
          SELECT 1 FROM warnings w WHERE w.id = $1 AND (
            EXISTS (SELECT 1 FROM unnest(w.area_codes) c WHERE c LIKE a.target_id || '%' OR a.target_id LIKE c || '%')
            OR EXISTS (SELECT 1 FROM admin_units u WHERE u.code LIKE a.target_id || '%' AND u.geom IS NOT NULL
                       AND w.area_geom IS NOT NULL AND ST_Intersects(u.geom, w.area_geom)))) AS local
       FROM responsibility_assignments a
       WHERE a.target_type = 'unit' AND a.role_slot = 'duty_officer' AND (a.valid_to IS NULL OR a.valid_to >= $2::date)`,
      [warningId, this.clock.now().toISOString().slice(0, 10)],
    );
    const local = rows.filter((r) => r.local);
    return [...new Set((local.length > 0 ? local : rows).map((r) => r.person_id))];
  }
}
