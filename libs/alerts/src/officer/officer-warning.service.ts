import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Clock, ConflictError, ForbiddenError, inRegion, NotFoundError, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig, isLevelName, warningEventZh } from '@app/config';
import { EventLog, WarningDraftRow, WarningDraftsRepository } from '@app/database';
import { AlertIngestService, IngestResult, polygonWkt } from '../alert-ingest.service';
import { checkPlausible, SCHEDULE_AHEAD_MS } from '../cap/cap-time';
import { defaultHazardTables } from '../cap/hazard-tables';
import { Colour } from '../cap/normalized-alert';
import { warningReference } from '../warning-reference';
import {
  approvalsRequired,
  officerAlert,
  officerIdentifier,
  officerSender,
  OfficerWarningContent,
  recolourHeadline,
} from './officer-warning';

export interface Officer {
  name: string;
  regionCode: string;
  /** How the audit log names the officer (api-key:… or user:…). */
  actor?: string;
}

/** Who wrote or approved a draft: a key by its name (as before accounts existed), a person as `user:<login>`, never confused. */
export function draftIdentity(officer: Officer): string {
  return officer.actor?.startsWith('user:') ? officer.actor : officer.name;
}

/** What the officer sends: content fields (all optional on an update draft, which starts from the warning it updates). */
export type DraftInput = Partial<OfficerWarningContent> & { updates?: string };

export interface DraftView {
  id: string;
  state: 'draft' | 'issued' | 'discarded';
  updatesWarningId: string | null;
  content: OfficerWarningContent;
  approvalsRequired: number;
  approvals: Array<{ by: string; at: string }>;
  /** Approved enough to be issued. */
  ready: boolean;
  /** Sent back by a second officer with a comment (cleared by the next edit). */
  returned: { by: string; at: string; comment: string } | null;
  createdBy: string;
  regionCode: string;
  issuedWarningId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type DraftRow = WarningDraftRow<OfficerWarningContent>;

const ACTIVE_STATES = ['received', 'matching', 'tracking'];

/**
 * Warnings written by duty officers: draft, edit, approve (a second, different officer when the two-person rule
 * applies), and issue through AlertIngestService (source 'officer'), so they take the same path as CAP.
 * An update draft upgrades, downgrades or re-areas an issued warning as a CAP Update on its chain.
 * Every action is an audit event naming the officer. Lifting is POST /api/v1/warnings/:id/lift (response engine).
 */
@Injectable()
export class OfficerWarningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly drafts: WarningDraftsRepository,
    private readonly ingest: AlertIngestService,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `manager`: the caller's transaction, when the draft is part of a larger decision (研判's 编辑). */
  async create(
    officer: Officer,
    input: DraftInput,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DraftView> {
    const base = input.updates ? await this.updatableWarning(officer, input.updates) : null;
    const merged = { ...(base?.content ?? {}), ...withoutUndefined(input) };
    if (base?.content.colour && merged.colour && input.headline === undefined) {
      // A downgrade must not go out as "…暴雨红色预警": the kept headline takes the new colour.
      merged.headline = recolourHeadline(base.content.headline ?? '', base.content.colour, merged.colour);
    }
    const content = await this.checkContent(officer, merged);
    const row = await this.drafts.add(
      manager,
      {
        updatesWarningId: base?.id ?? null,
        content,
        approvalsRequired: this.required(content),
        createdBy: draftIdentity(officer),
        regionCode: officer.regionCode,
      },
      this.clock.now(),
    );
    await this.audit(
      'WarningDrafted',
      officer,
      row,
      { updates: base?.id ?? null, colour: content.colour, areaCodes: content.areaCodes },
      manager,
    );
    return view(row);
  }

  async get(officer: Officer, id: string): Promise<DraftView> {
    return view(await this.load(this.dataSource.manager, officer, id));
  }

  /** Changes a draft's content; approvals given so far no longer count. */
  async edit(officer: Officer, id: string, patch: DraftInput): Promise<DraftView> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.load(tx, officer, id, true);
      assertDraft(row);
      const content = await this.checkContent(officer, {
        ...row.content,
        ...withoutUndefined({ ...patch, updates: undefined }),
      });
      const updated = await this.drafts.edit(tx, id, content, this.required(content), this.clock.now());
      await this.audit(
        'WarningDraftEdited',
        officer,
        updated,
        { colour: content.colour, approvalsCleared: row.approvals.length },
        tx,
      );
      return view(updated);
    });
  }

  async approve(officer: Officer, id: string): Promise<DraftView> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.loadOthersDraft(
        tx,
        officer,
        id,
        'approver',
        'a second, different duty officer must approve this warning（须由另一名值班员审核，不能审核自己起草的预警）',
      );
      if (row.approvals.some((a) => a.by === draftIdentity(officer))) {
        return view(row);
      }
      const approvals = [...row.approvals, { by: draftIdentity(officer), at: this.clock.now().toISOString() }];
      const updated = await this.drafts.setApprovals<OfficerWarningContent>(tx, id, approvals, this.clock.now());
      await this.audit(
        'WarningDraftApproved',
        officer,
        updated,
        { approvals: approvals.length, required: row.approvals_required },
        tx,
      );
      return view(updated);
    });
  }

  /** A second officer sends the draft back to its author with a comment; approvals given so far are cleared. */
  async giveBack(officer: Officer, id: string, comment: string): Promise<DraftView> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.loadOthersDraft(
        tx,
        officer,
        id,
        'reviewer',
        'only another duty officer can return a draft to its author（不能退回自己起草的预警，请直接修改）',
      );
      const returned = { by: draftIdentity(officer), at: this.clock.now().toISOString(), comment };
      const updated = await this.drafts.giveBack<OfficerWarningContent>(tx, id, returned, this.clock.now());
      await this.audit(
        'WarningDraftReturned',
        officer,
        updated,
        { comment, approvalsCleared: row.approvals.length },
        tx,
      );
      return view(updated);
    });
  }

  /** Issues the draft once; issuing again answers with the warning it became. */
  async issue(officer: Officer, id: string): Promise<IngestResult & { draftId: string; alreadyIssued: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.load(tx, officer, id, true);
      const sender = officerSender(row.region_code);
      const [already] = await tx.query<Array<{ id: string; chain_id: string; version: number; is_drill: boolean }>>(
        `SELECT id, chain_id, version, is_drill FROM warnings WHERE sender = $1 AND identifier = $2`,
        [sender, officerIdentifier(row.id)],
      );
      if (already) {
        if (row.state !== 'issued') {
          await this.drafts.catchUpIssued(tx, id, already.id);
        }
        return {
          id: already.id,
          chainId: already.chain_id,
          version: already.version,
          outcome: 'duplicate',
          drill: already.is_drill,
          warnings: [],
          held: false,
          draftId: id,
          alreadyIssued: true,
        };
      }
      assertDraft(row);
      if (row.approvals.length < row.approvals_required) {
        throw new ConflictError(
          'this warning needs the approval of a second duty officer before it is issued（红色或面向公众的预警须经另一名值班员审核后方可签发）',
          {
            field: 'approvals',
            problem: `${row.approvals.length} of ${row.approvals_required}`,
          },
        );
      }
      const content = await this.checkContent(officer, row.content); // again: time has passed since the draft
      const reference = row.updates_warning_id ? await warningReference(tx, row.updates_warning_id) : null;
      const units = await tx.query<Array<{ name: string }>>(
        `SELECT name FROM admin_units WHERE code = ANY($1::varchar[]) ORDER BY code`,
        [content.areaCodes],
      );
      const alert = officerAlert(
        { id: row.id, regionCode: row.region_code, content },
        this.clock.now(),
        reference ? [reference] : [],
        units.map((u) => u.name),
      );
      // The ingest commits on its own connection; this transaction keeps the draft locked until it is marked issued.
      const result = await this.ingest.ingest(alert, {
        source: 'officer',
        actor: actorOf(officer),
        raw: JSON.stringify(content),
      });
      await this.drafts.markIssued(tx, id, result.id, this.clock.now());
      await this.events.append(
        {
          type: 'WarningIssued',
          warningId: result.id,
          actor: actorOf(officer),
          data: {
            draftId: id,
            outcome: result.outcome,
            approvedBy: row.approvals.map((a) => a.by),
            colour: content.colour,
          },
        },
        tx,
      );
      return { ...result, draftId: id, alreadyIssued: false };
    });
  }

  /** Records that the officer looked at who would be called (the list itself comes from the matching engine). */
  async notePreview(officer: Officer, draft: DraftView, recipients: number | null): Promise<void> {
    await this.events.append({
      type: 'WarningDraftPreviewed',
      actor: actorOf(officer),
      data: { draftId: draft.id, recipients },
    });
  }

  private required(content: OfficerWarningContent): number {
    return approvalsRequired(content, this.config.ingest.twoPersonRule);
  }

  /** A draft still open, locked, that the officer did not write (approving and returning are for a second officer). */
  private async loadOthersDraft(
    tx: EntityManager,
    officer: Officer,
    id: string,
    field: string,
    message: string,
  ): Promise<DraftRow> {
    const row = await this.load(tx, officer, id, true);
    assertDraft(row);
    if (row.created_by === draftIdentity(officer)) {
      throw new ForbiddenError(message, { field, problem: 'author' });
    }
    return row;
  }

  private async load(manager: EntityManager, officer: Officer, id: string, lock = false): Promise<DraftRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.drafts.find<OfficerWarningContent>(manager, id, lock) : null;
    if (!row || !inRegion(row.region_code, officer.regionCode)) {
      throw new NotFoundError(`warning draft ${id} not found（预警草稿不存在或不在您的辖区）`);
    }
    return row;
  }

  /** The warning an update draft changes: visible to the officer, the newest of its chain, and still in force. */
  private async updatableWarning(
    officer: Officer,
    warningId: string,
  ): Promise<{ id: string; content: Partial<OfficerWarningContent> }> {
    const [w] = /^[0-9a-f-]{36}$/i.test(warningId)
      ? await this.dataSource.query<
          Array<{
            id: string;
            state: string;
            newest: boolean;
            hazard_type: string;
            colour: Colour | null;
            event: string;
            headline: string;
            description: string;
            instruction: string;
            area_codes: string[];
            expires_at: Date | null;
            is_drill: boolean;
          }>
        >(
          `SELECT w.*, NOT EXISTS (SELECT 1 FROM warnings v WHERE v.chain_id = w.chain_id AND v.version > w.version) AS newest
           FROM warnings w WHERE w.id = $1`,
          [warningId],
        )
      : [];
    if (!w || !w.area_codes.some((c) => inRegion(c, officer.regionCode))) {
      throw new NotFoundError(`warning ${warningId} not found（预警不存在或不在您的辖区）`, { field: 'updates' });
    }
    if (!w.newest || !ACTIVE_STATES.includes(w.state)) {
      throw new ConflictError(
        `warning ${warningId} is ${w.newest ? w.state : 'superseded by a newer version'}; update the newest version in force（只能变更仍在生效的最新版本）`,
        {
          field: 'updates',
          problem: w.state,
        },
      );
    }
    return {
      id: w.id,
      content: {
        hazardType: w.hazard_type,
        ...(w.colour ? { colour: w.colour } : {}),
        headline: w.headline,
        description: w.description,
        instruction: w.instruction,
        areaCodes: w.area_codes,
        expires: w.expires_at ? w.expires_at.toISOString() : null,
        drill: w.is_drill,
      },
    };
  }

  /** Fills defaults and checks what a DTO cannot: hazard known, codes known and in the officer's region, geometry, time. */
  private async checkContent(officer: Officer, input: Partial<OfficerWarningContent>): Promise<OfficerWarningContent> {
    const hazards = defaultHazardTables().hazards.map((h) => h.code);
    const need = (field: string, ok: boolean, problem: string, zh: string) => {
      if (!ok) {
        throw new ValidationError(`${field}: ${problem}（${zh}）`, { field, problem });
      }
    };
    need(
      'hazardType',
      hazards.includes(input.hazardType ?? ''),
      `must be one of ${hazards.join(', ')}`,
      '灾种不在配置表中',
    );
    need('colour', isLevelName(input.colour), 'must be red, orange, yellow or blue', '预警颜色有误');
    need(
      'headline',
      typeof input.headline === 'string' && input.headline.trim() !== '',
      'must not be empty',
      '标题不能为空',
    );
    need(
      'areaCodes',
      Array.isArray(input.areaCodes) && input.areaCodes.length > 0,
      'name at least one division code',
      '须指定预警区域',
    );
    const content: OfficerWarningContent = {
      hazardType: input.hazardType as string,
      colour: input.colour as Colour,
      event: input.event?.trim() || warningEventZh(input.hazardType as string, input.colour as Colour),
      headline: (input.headline as string).trim(),
      description: input.description ?? '',
      instruction: input.instruction ?? '',
      areaCodes: [...new Set(input.areaCodes)],
      polygon: input.polygon ?? null,
      expires: input.expires ?? null,
      drill: input.drill ?? false,
      scope: input.scope ?? 'Restricted',
    };
    const known = await this.dataSource.query<Array<{ code: string }>>(
      `SELECT code FROM admin_units WHERE code = ANY($1::varchar[])`,
      [content.areaCodes],
    );
    content.areaCodes.forEach((code, i) => {
      need(
        `areaCodes[${i}]`,
        known.some((k) => k.code === code),
        `${code} is not a known division code`,
        '行政区划代码不存在',
      );
      if (!inRegion(code, officer.regionCode)) {
        throw new ForbiddenError(
          `areaCodes[${i}]: ${code} is outside your region ${officer.regionCode}（预警区域超出您的辖区）`,
          {
            field: `areaCodes[${i}]`,
            problem: 'outside region',
          },
        );
      }
    });
    if (content.expires !== null) {
      const at = new Date(content.expires);
      need(
        'expires',
        !Number.isNaN(at.getTime()) && at.getTime() > this.clock.now().getTime(),
        'must be a time in the future',
        '解除时间须晚于当前',
      );
      need(
        'expires',
        checkPlausible(at, this.clock.now(), SCHEDULE_AHEAD_MS) === null,
        'must be within a year',
        '解除时间不合理',
      );
    }
    if (content.polygon !== null) {
      await this.checkPolygon(officer, content.polygon);
    }
    return content;
  }

  private async checkPolygon(officer: Officer, ring: Array<[number, number]>): Promise<void> {
    const wkt = polygonWkt(ring);
    const closed =
      ring.length >= 4 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
    const valid = ring.every(([lon, lat]) => Math.abs(lon) <= 180 && Math.abs(lat) <= 90);
    if (!closed || !valid) {
      throw new ValidationError(
        'polygon: needs at least 4 [lon, lat] points, the last equal to the first（多边形须闭合，经纬度有效）',
        { field: 'polygon', problem: 'not a closed ring' },
      );
    }
    const [check] = await this.dataSource.query<Array<{ reason: string; outside: string[] }>>(
      `SELECT ST_IsValidReason(g) AS reason,
              CASE WHEN ST_IsValid(g) THEN ARRAY(SELECT code FROM admin_units WHERE level = 'county' AND ST_Intersects(geom, g)
                AND NOT (code LIKE $2 || '%' OR $2 = '500000')) ELSE '{}' END AS outside
       FROM (SELECT ST_GeomFromText($1, 4326) AS g) t`,
      [wkt, officer.regionCode],
    );
    if (check.reason !== 'Valid Geometry') {
      throw new ValidationError(`polygon: ${check.reason}（多边形无效）`, { field: 'polygon', problem: check.reason });
    }
    if (check.outside.length > 0) {
      throw new ForbiddenError(
        `polygon reaches ${check.outside.join(', ')}, outside your region ${officer.regionCode}（多边形超出您的辖区）`,
        {
          field: 'polygon',
          problem: 'outside region',
        },
      );
    }
  }

  private async audit(
    type: string,
    officer: Officer,
    row: DraftRow,
    data: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.events.append(
      { type, actor: actorOf(officer), warningId: row.updates_warning_id, data: { draftId: row.id, ...data } },
      manager,
    );
  }
}

function view(row: DraftRow): DraftView {
  return {
    id: row.id,
    state: row.state,
    updatesWarningId: row.updates_warning_id,
    content: row.content,
    approvalsRequired: row.approvals_required,
    approvals: row.approvals,
    ready: row.state === 'draft' && row.approvals.length >= row.approvals_required,
    returned: row.returned ?? null,
    createdBy: row.created_by,
    regionCode: row.region_code,
    issuedWarningId: row.issued_warning_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function assertDraft(row: DraftRow): void {
  if (row.state !== 'draft') {
    throw new ConflictError(
      `draft ${row.id} is ${row.state} and can no longer change（草稿已${row.state === 'issued' ? '签发' : '作废'}）`,
      {
        field: 'state',
        problem: row.state,
      },
    );
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
