import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Clock, ConflictError, NotFoundError } from '@app/common';
import { EventLog, inRegionSql, WarningsRepository } from '@app/database';
import { AlertIngestService } from '../alert-ingest.service';
import { Colour } from '../cap/normalized-alert';
import { Officer, OfficerWarningService } from '../officer/officer-warning.service';

/** An alert held for 研判, as the desk lists it. */
export interface IncomingAlert {
  id: string;
  source: string;
  sender: string;
  hazardType: string;
  event: string;
  colour: Colour | null;
  headline: string;
  areaDesc: string;
  areaCodes: string[];
  receivedAt: Date;
  expiresAt: Date | null;
  /** Past its expiry: it can only be dismissed. */
  expired: boolean;
  isDrill: boolean;
}

interface HeldRow {
  id: string;
  level: number | null;
  hazard_type: string;
  event: string;
  colour: Colour | null;
  headline: string;
  description: string;
  instruction: string;
  area_codes: string[];
  expires_at: Date | null;
  is_drill: boolean;
}

/**
 * 研判: alerts that TRIAGE_HOLD kept from calling anyone until a duty officer of their region confirms them (they go to
 * matching as they are), turns them into a draft to edit and issue, or dismisses them with a reason. Each decision is
 * an audit event naming the officer; a decision taken already answers 409 (two officers cannot both decide).
 */
@Injectable()
export class IncomingService {
  private readonly logger = new Logger(IncomingService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly drafts: OfficerWarningService,
    private readonly ingest: AlertIngestService,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async list(regionCode: string, page: number, pageSize: number): Promise<{ items: IncomingAlert[]; total: number }> {
    const rows = await this.dataSource.query<Array<IncomingAlert & { total: number }>>(
      `SELECT w.id, w.source, w.sender, w.hazard_type AS "hazardType", w.event, w.colour, w.headline, w.area_desc AS "areaDesc",
              w.area_codes AS "areaCodes", w.created_at AS "receivedAt", w.expires_at AS "expiresAt",
              coalesce(w.expires_at <= $2, false) AS expired, w.is_drill AS "isDrill", count(*) OVER ()::int AS total
       FROM warnings w WHERE w.state = 'held' AND ${inRegionSql('w', '$1')}
       ORDER BY w.level DESC NULLS LAST, w.created_at DESC LIMIT $3 OFFSET $4`,
      [regionCode, this.clock.now(), pageSize, (page - 1) * pageSize],
    );
    return { items: rows.map(({ total: _total, ...item }) => item), total: rows[0]?.total ?? 0 };
  }

  /** 确认发布: the alert goes to matching and calls as it came in. */
  async confirm(officer: Officer, id: string): Promise<{ warningId: string }> {
    const now = this.clock.now();
    const held = await this.dataSource.transaction(async (tx) => {
      const row = await this.lockHeld(tx, officer, id);
      if (row.expires_at && row.expires_at.getTime() <= now.getTime()) {
        throw new ConflictError(
          '该预警已过有效期，不能确认发布，请驳回或重新起草 (the alert has expired: dismiss it or draft a new one)',
        );
      }
      await this.decide(tx, officer, row.id, 'received', { decision: 'confirmed' });
      return row;
    });
    // As at ingest: PostgreSQL has the decision; the sweep enqueues matching should Redis be away now.
    await this.ingest.afterCommit(null, { id: held.id, level: held.level, expiresAt: held.expires_at, live: true });
    return { warningId: held.id };
  }

  /** 编辑: a draft of the officer's own with the alert's content; the alert itself is closed as dismissed. */
  async edit(officer: Officer, id: string): Promise<{ draftId: string }> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.lockHeld(tx, officer, id);
      const draft = await this.drafts.create(
        officer,
        {
          hazardType: row.hazard_type,
          colour: row.colour ?? undefined,
          event: row.event,
          headline: row.headline,
          description: row.description,
          instruction: row.instruction,
          areaCodes: row.area_codes,
          expires:
            row.expires_at && row.expires_at.getTime() > this.clock.now().getTime()
              ? row.expires_at.toISOString()
              : null,
          drill: row.is_drill,
          scope: 'Restricted',
        },
        tx,
      );
      await this.decide(tx, officer, row.id, 'dismissed', { decision: 'edited', draftId: draft.id });
      return { draftId: draft.id };
    });
  }

  /** 驳回: nobody is called; the reason stays in the warning's history. */
  async dismiss(officer: Officer, id: string, reason: string): Promise<{ warningId: string }> {
    await this.dataSource.transaction(async (tx) => {
      const row = await this.lockHeld(tx, officer, id);
      await this.decide(tx, officer, row.id, 'dismissed', { decision: 'dismissed', reason });
    });
    return { warningId: id };
  }

  private async lockHeld(tx: EntityManager, officer: Officer, id: string): Promise<HeldRow> {
    const [row] = await tx.query<Array<HeldRow & { state: string }>>(
      `SELECT w.id, w.state, w.level, w.hazard_type, w.event, w.colour, w.headline, w.description, w.instruction,
              w.area_codes, w.expires_at, w.is_drill
       FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')} FOR UPDATE OF w`,
      [id, officer.regionCode],
    );
    if (!row) {
      throw new NotFoundError(`待研判预警 ${id} 不存在或不在您的辖区 (incoming alert ${id} not found in your region)`);
    }
    if (row.state !== 'held') {
      throw new ConflictError(
        `该预警已研判（当前状态 ${row.state}），无需再次处理 (the alert was already decided: ${row.state})`,
      );
    }
    return row;
  }

  private async decide(
    tx: EntityManager,
    officer: Officer,
    id: string,
    state: 'received' | 'dismissed',
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.warnings.triage(tx, id, state);
    await this.events.append({ type: 'WarningTriaged', warningId: id, actor: actorOf(officer), data }, tx);
    this.logger.log({ msg: 'incoming alert decided', warningId: id, ...data });
  }
}
