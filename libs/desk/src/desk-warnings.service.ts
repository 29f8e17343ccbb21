import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HAZARD_NAME_ZH } from '@app/config';
import { maskPhone, NotFoundError } from '@app/common';
import { callReasonsSql, inRegionSql, UNESCALATED_UNANSWERED_STATES_SQL } from '@app/database';
import { offsetOf, Page, PageQuery } from './page';

export const ACTIVE_STATES = ['received', 'matching', 'tracking'];

export interface WarningFilter extends PageQuery {
  /** active: the newest version of chains in force; history: everything else. */
  tab: 'active' | 'history';
  hazard?: string;
  /** red|orange|yellow|blue or 1–4. */
  level?: string;
  /** A division code: warnings whose area names it, lies in it or contains it. */
  area?: string;
  state?: string;
  /** Part of the headline, event or area description. */
  q?: string;
}

export interface WarningListItem {
  id: string;
  chainId: string;
  version: number;
  msgType: string;
  source: string;
  hazardType: string;
  hazardName: string;
  event: string;
  colour: string | null;
  level: number | null;
  headline: string;
  areaDesc: string;
  areaCodes: string[];
  state: string;
  isDrill: boolean;
  sent: Date;
  expiresAt: Date | null;
  calls: { total: number; acknowledged: number; open: number; escalated: number; unreachable: number };
}

const LEVEL_OF: Record<string, number> = { red: 1, orange: 2, yellow: 3, blue: 4 };

/** The desk's reads of warnings: filtered, region-scoped, paginated lists; a chain's versions; a warning's calls. */
@Injectable()
export class DeskWarningsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(f: WarningFilter, regionCode: string): Promise<Page<WarningListItem>> {
    const params: unknown[] = [regionCode];
    const where = [inRegionSql('w', '$1')];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const newest = `NOT EXISTS (SELECT 1 FROM warnings n WHERE n.chain_id = w.chain_id AND n.version > w.version)`;
    where.push(
      f.tab === 'active'
        ? `w.state IN ('received','matching','tracking') AND ${newest}`
        : `NOT (w.state IN ('received','matching','tracking') AND ${newest})`,
    );
    if (f.hazard) {
      add((p) => `w.hazard_type = ${p}`, f.hazard);
    }
    if (f.level) {
      add((p) => `w.level = ${p}::smallint`, LEVEL_OF[f.level] ?? Number(f.level));
    }
    if (f.area) {
      add(
        (p) => `EXISTS (SELECT 1 FROM unnest(w.area_codes) c WHERE c LIKE ${p} || '%' OR ${p} LIKE c || '%')`,
        f.area,
      );
    }
    if (f.state) {
      add((p) => `w.state = ${p}`, f.state);
    }
    if (f.q) {
      add(
        (p) =>
          `(w.headline ILIKE '%' || ${p} || '%' OR w.event ILIKE '%' || ${p} || '%' OR w.area_desc ILIKE '%' || ${p} || '%')`,
        f.q,
      );
    }
    const clause = where.join(' AND ');
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM warnings w WHERE ${clause}`,
      params,
    );
    const rows = await this.dataSource.query<Array<Omit<WarningListItem, 'hazardName'>>>(
      `SELECT w.id, w.chain_id AS "chainId", w.version, w.msg_type AS "msgType", w.source, w.hazard_type AS "hazardType", w.event,
              w.colour, w.level, w.headline, w.area_desc AS "areaDesc", w.area_codes AS "areaCodes", w.state, w.is_drill AS "isDrill",
              w.sent, w.expires_at AS "expiresAt",
              (SELECT json_build_object('total', count(*), 'acknowledged', count(*) FILTER (WHERE t.acknowledged_at IS NOT NULL),
                 'open', count(*) FILTER (WHERE t.state IN ${UNESCALATED_UNANSWERED_STATES_SQL}),
                 'escalated', count(*) FILTER (WHERE t.state = 'escalated'), 'unreachable', count(*) FILTER (WHERE t.state = 'unreachable'))
               FROM call_tasks t WHERE t.warning_id = w.id) AS calls
       FROM warnings w WHERE ${clause}
       ORDER BY w.level NULLS LAST, w.sent DESC, w.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.pageSize, offsetOf(f)],
    );
    return {
      items: rows.map((r) => ({ ...r, hazardName: HAZARD_NAME_ZH[r.hazardType] ?? r.hazardType })),
      total,
      page: f.page,
      pageSize: f.pageSize,
    };
  }

  /**
   * Officers' drafts in the caller's region, newest first. `awaiting` = drafts still short of approvals;
   * `mine` tells the caller's own drafts (a second officer approves the others').
   */
  async drafts(
    q: PageQuery & { state?: string; awaiting?: boolean },
    caller: { regionCode: string; identity: string },
  ): Promise<Page<Record<string, unknown>>> {
    const where = `($1 = '500000' OR d.region_code LIKE $1 || '%') AND d.state = $2
      AND (NOT $3 OR jsonb_array_length(d.approvals) < d.approvals_required)`;
    const params = [caller.regionCode, q.state ?? 'draft', q.awaiting === true];
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM warning_drafts d WHERE ${where}`,
      params,
    );
    const items = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT d.id, d.state, d.updates_warning_id AS "updatesWarningId", d.content, d.approvals_required AS "approvalsRequired",
              d.approvals, jsonb_array_length(d.approvals) >= d.approvals_required AS ready, d.created_by AS "createdBy",
              d.created_by = $5 AS mine, d.region_code AS "regionCode", d.issued_warning_id AS "issuedWarningId",
              d.created_at AS "createdAt", d.updated_at AS "updatedAt"
       FROM warning_drafts d WHERE ${where} ORDER BY d.updated_at DESC, d.id LIMIT $4 OFFSET $6`,
      [...params, q.pageSize, caller.identity, offsetOf(q)],
    );
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  /** Every version of the warning's chain, oldest first (404 outside the caller's region). */
  async chain(
    id: string,
    regionCode: string,
  ): Promise<
    Array<
      Pick<
        WarningListItem,
        'id' | 'version' | 'msgType' | 'colour' | 'level' | 'headline' | 'state' | 'sent' | 'areaCodes'
      >
    >
  > {
    await this.assertVisible(id, regionCode);
    return this.dataSource.query(
      `SELECT v.id, v.version, v.msg_type AS "msgType", v.colour, v.level, v.headline, v.state, v.sent, v.area_codes AS "areaCodes"
       FROM warnings v WHERE v.chain_id = (SELECT chain_id FROM warnings WHERE id = $1) ORDER BY v.version, v.sent`,
      [id],
    );
  }

  /** One page of a warning's calls, with answers and escalations (督办), numbers masked. */
  async calls(
    id: string,
    regionCode: string,
    q: PageQuery & { state?: string },
  ): Promise<Page<Record<string, unknown>>> {
    await this.assertVisible(id, regionCode);
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM call_tasks t WHERE t.warning_id = $1 AND ($2::text IS NULL OR t.state = $2)`,
      [id, q.state ?? null],
    );
    const rows = await this.dataSource.query<Array<Record<string, unknown> & { mobile: string | null }>>(
      `SELECT t.id, t.person_id AS "personId", p.name AS "personName", p.title, p.admin_unit_code AS "unitCode", u.name AS "unitName",
              t.tier, t.state, t.deadline_at AS "deadlineAt", t.acknowledged_at AS "acknowledgedAt", ${callReasonsSql('t')} AS reasons,
              a.response, a.late, a.method AS "answeredBy", a.note,
              (SELECT count(*)::int FROM escalations e WHERE e.from_task_id = t.id) AS escalations,
              (SELECT address FROM contact_methods m WHERE m.person_id = p.id AND m.channel IN ('sms','voice') ORDER BY priority LIMIT 1) AS mobile
       FROM call_tasks t JOIN persons p ON p.id = t.person_id LEFT JOIN admin_units u ON u.code = p.admin_unit_code
       LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       WHERE t.warning_id = $1 AND ($2::text IS NULL OR t.state = $2)
       ORDER BY t.tier, t.state, p.name, t.id LIMIT $3 OFFSET $4`,
      [id, q.state ?? null, q.pageSize, offsetOf(q)],
    );
    return {
      items: rows.map((r) => ({ ...r, mobile: r.mobile ? maskPhone(r.mobile) : null })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** The warning's escalations (督办), oldest first: who stayed silent or could not be reached, and who was called next. */
  async escalations(id: string, regionCode: string): Promise<Array<Record<string, unknown>>> {
    await this.assertVisible(id, regionCode);
    return this.dataSource.query(
      `SELECT e.id, e.at, e.reason, e.from_task_id AS "fromCallTaskId", fp.name AS "fromPerson", fu.name AS "fromUnit",
              e.to_task_id AS "toCallTaskId", tp.name AS "toPerson", tt.state AS "toState"
       FROM escalations e JOIN call_tasks ft ON ft.id = e.from_task_id JOIN persons fp ON fp.id = ft.person_id
       LEFT JOIN admin_units fu ON fu.code = fp.admin_unit_code
       LEFT JOIN call_tasks tt ON tt.id = e.to_task_id LEFT JOIN persons tp ON tp.id = tt.person_id
       WHERE e.warning_id = $1 ORDER BY e.at, e.id`,
      [id],
    );
  }

  /** Warnings in force of this hazard whose area overlaps the given codes or polygon: issue an update instead. */
  async overlapping(
    hazardType: string,
    codes: string[],
    polygonWkt: string | null,
    regionCode: string,
  ): Promise<Array<{ id: string; headline: string; colour: string | null; areaCodes: string[] }>> {
    return this.dataSource.query(
      `SELECT w.id, w.headline, w.colour, w.area_codes AS "areaCodes" FROM warnings w
       WHERE w.hazard_type = $1 AND w.state IN ('received','matching','tracking') AND ${inRegionSql('w', '$4')}
         AND NOT EXISTS (SELECT 1 FROM warnings n WHERE n.chain_id = w.chain_id AND n.version > w.version)
         AND (EXISTS (SELECT 1 FROM unnest(w.area_codes) c, unnest($2::text[]) a WHERE c LIKE a || '%' OR a LIKE c || '%')
              OR ($3::text IS NOT NULL AND w.area_geom IS NOT NULL AND ST_Intersects(w.area_geom, ST_GeomFromText($3, 4326))))
       ORDER BY w.sent DESC LIMIT 20`,
      [hazardType, codes, polygonWkt, regionCode],
    );
  }

  private async assertVisible(id: string, regionCode: string): Promise<void> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.query<unknown[]>(
          `SELECT 1 FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
          [id, regionCode],
        )
      : [];
    if (!row) {
      throw new NotFoundError(`warning ${id} not found（预警不存在或不在您的辖区）`);
    }
  }
}
