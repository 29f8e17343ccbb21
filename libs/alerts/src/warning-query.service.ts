import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@app/common';
import { maskPhone } from '@app/common';
import { callReasonsSql } from '@app/database';
import { VISIBLE_UNMATCHED_SQL } from '@app/calls';
import { displayHeadline } from './drill';

export interface UnmatchedView {
  reason: string;
  detail: string;
  at: Date;
  open: boolean;
  dismissedAt: Date | null;
  dismissedBy: string | null;
}

function unmatchedView(w: Record<string, unknown>): UnmatchedView | null {
  return w.unmatched_reason === null || w.unmatched_reason === undefined
    ? null
    : {
        reason: w.unmatched_reason as string,
        detail: w.unmatched_detail as string,
        at: w.unmatched_at as Date,
        open: w.unmatched_dismissed_at === null,
        dismissedAt: w.unmatched_dismissed_at as Date | null,
        dismissedBy: w.unmatched_dismissed_by as string | null,
      };
}

export interface WarningDetail {
  id: string;
  chainId: string;
  version: number;
  msgType: string;
  status: string;
  isDrill: boolean;
  state: string;
  hazardType: string;
  event: string;
  level: number | null;
  colour: string | null;
  headline: string;
  /** What people read: the headline, with 【演练】 in front for drills. */
  title: string;
  areaDesc: string;
  areaCodes: string[];
  /** 无匹配对象: why it called nobody, until dismissed (then with who dismissed it); null when it matched someone. */
  unmatched: UnmatchedView | null;
  /** Empty optional elements ingest ignored. */
  ingestNotes: Array<{ field: string; note: string }>;
  sent: Date;
  expiresAt: Date | null;
  summary: Record<string, number>;
  callTasks: Array<{
    id: string;
    personId: string;
    personName: string;
    mobile: string | null;
    tier: number;
    state: string;
    deadlineAt: Date | null;
    acknowledgedAt: Date | null;
    late: boolean | null;
    response: string | null;
    reasons: unknown[];
    escalatedFromTaskId: string | null;
  }>;
  timeline: Array<{ id: string; at: Date; type: string; actor: string; callTaskId: string | null; data: unknown }>;
}

export interface SourceAlarmView {
  id: string;
  sourceId: string;
  kind: 'silent' | 'failing';
  message: string;
  regionCode: string;
  raisedAt: Date;
}

export interface FeedSourceState {
  id: string;
  lastPolledAt: Date | null;
  lastSuccessAt: Date | null;
  lastNewEntryAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  entries: number;
}

/**
 * Read side of warnings, scoped to a region: a caller sees a warning only if its area names a unit in
 * the region, or someone in the region was called for it. Outside the region it does not exist.
 */
@Injectable()
export class WarningQueryService {
  constructor(private readonly dataSource: DataSource) {}

  /** The duty board's view of feeds: polling state of each source the region owns and their open heartbeat alarms. */
  async feedBoard(regionCode: string): Promise<{ sources: FeedSourceState[]; alarms: SourceAlarmView[] }> {
    const alarms = await this.dataSource.query<SourceAlarmView[]>(
      `SELECT id, source_id AS "sourceId", kind, message, region_code AS "regionCode", raised_at AS "raisedAt"
       FROM source_alarms WHERE cleared_at IS NULL AND (region_code LIKE $1 || '%' OR $1 = '500000') ORDER BY raised_at DESC`,
      [regionCode],
    );
    const sources = await this.dataSource.query<FeedSourceState[]>(
      `SELECT id, last_polled_at AS "lastPolledAt", last_success_at AS "lastSuccessAt", last_new_entry_at AS "lastNewEntryAt",
              last_error AS "lastError", last_error_at AS "lastErrorAt",
              (SELECT count(*)::int FROM feed_entries e WHERE e.source_id = s.id) AS entries
       FROM feed_sources s ORDER BY id`,
    );
    return { sources, alarms };
  }

  async detail(id: string, regionCode: string): Promise<WarningDetail> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) {
      throw new NotFoundError(`warning ${id} not found（预警不存在）`);
    }
    const [w] = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT w.* FROM warnings w
       WHERE w.id = $1 AND ${VISIBLE_UNMATCHED_SQL('w', '$2')}`,
      [id, regionCode],
    );
    if (!w) {
      throw new NotFoundError(`warning ${id} not found（预警不存在或不在您的辖区）`);
    }
    const tasks = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT t.id, t.person_id, p.name, t.tier, t.state, t.deadline_at, t.acknowledged_at, ${callReasonsSql('t')} AS reasons,
              t.escalated_from_task_id, a.late, a.response,
              (SELECT address FROM contact_methods m WHERE m.person_id = p.id AND m.channel = 'sms' ORDER BY priority LIMIT 1) AS mobile
       FROM call_tasks t JOIN persons p ON p.id = t.person_id LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       WHERE t.warning_id = $1 ORDER BY t.tier, p.name`,
      [id],
    );
    const events = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT id, at, type, actor, call_task_id, data FROM events WHERE warning_id = $1 ORDER BY id`,
      [id],
    );
    const summary: Record<string, number> = { total: tasks.length };
    for (const t of tasks) {
      summary[t.state as string] = (summary[t.state as string] ?? 0) + 1;
    }
    return {
      id: w.id as string,
      chainId: w.chain_id as string,
      version: w.version as number,
      msgType: w.msg_type as string,
      status: w.status as string,
      isDrill: w.is_drill as boolean,
      state: w.state as string,
      hazardType: w.hazard_type as string,
      event: w.event as string,
      level: w.level as number | null,
      colour: w.colour as string | null,
      headline: w.headline as string,
      title: displayHeadline(w.headline as string, w.is_drill as boolean),
      areaDesc: w.area_desc as string,
      areaCodes: w.area_codes as string[],
      unmatched: unmatchedView(w),
      ingestNotes: w.ingest_notes as Array<{ field: string; note: string }>,
      sent: w.sent as Date,
      expiresAt: w.expires_at as Date | null,
      summary,
      callTasks: tasks.map((t) => ({
        id: t.id as string,
        personId: t.person_id as string,
        personName: t.name as string,
        mobile: t.mobile ? maskPhone(t.mobile as string) : null,
        tier: t.tier as number,
        state: t.state as string,
        deadlineAt: t.deadline_at as Date | null,
        acknowledgedAt: t.acknowledged_at as Date | null,
        late: t.late as boolean | null,
        response: t.response as string | null,
        reasons: t.reasons as unknown[],
        escalatedFromTaskId: t.escalated_from_task_id as string | null,
      })),
      timeline: events.map((e) => ({
        id: String(e.id),
        at: e.at as Date,
        type: e.type as string,
        actor: e.actor as string,
        callTaskId: e.call_task_id as string | null,
        data: e.data,
      })),
    };
  }
}
