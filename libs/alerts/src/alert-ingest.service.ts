import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, settleWithin, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { EventLog, WarningColour, WarningsRepository } from '@app/database';
import { JobProducer } from '@app/queue';
import { PlannedWork } from '@app/calls';
import { WarningLifecycle } from '@app/response';
import type { CapArea, NormalizedAlert } from './cap/normalized-alert';

export type IngestOutcome =
  | 'created'
  | 'duplicate'
  | 'updated'
  | 'update_started_new_chain'
  | 'cancelled'
  | 'cancel_of_unknown_recorded'
  | 'expired_on_arrival';

/** Something the sender should know although the warning was accepted. */
export interface IngestWarning {
  code: 'ignored_empty_element' | 'outside_known_units';
  field?: string;
  message: string;
}

export interface IngestResult {
  id: string;
  chainId: string;
  version: number;
  outcome: IngestOutcome;
  drill: boolean;
  /** Empty elements ignored, an area outside every known unit (it will be flagged 无匹配对象). */
  warnings: IngestWarning[];
  /** Held for the duty desk's 研判 (TRIAGE_HOLD): nobody is called until an officer confirms it. */
  held: boolean;
}

const OUTSIDE_UNITS =
  'the area lies outside every known administrative unit: nobody will be called; the warning is flagged 无匹配对象（预警范围不在任何已知行政区内，无人会被叫应）';

export interface IngestSource {
  source: 'cap' | 'officer' | 'feed' | 'sensor';
  actor: string;
  raw?: string | null;
}

interface Referenced {
  chainId: string;
  version: number;
  hazardType: string;
  event: string;
  level: number | null;
  colour: WarningColour | null;
  headline: string;
  areaDesc: string;
}

export function polygonWkt(ring: Array<[number, number]>): string {
  return `POLYGON((${ring.map(([lon, lat]) => `${lon} ${lat}`).join(', ')}))`;
}

/**
 * The one entry for every warning: idempotent on sender+identifier+sent, chains Update/Cancel through
 * `references`, records expired and drill messages, and enqueues matching after commit.
 */
/** How long an answer waits for its jobs to reach Redis (with Redis away, a 202 took 880 ms with 500 here). */
const ENQUEUE_WAIT_MS = 250;

@Injectable()
export class AlertIngestService {
  private readonly logger = new Logger(AlertIngestService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly lifecycle: WarningLifecycle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(alert: NormalizedAlert, from: IngestSource): Promise<IngestResult> {
    const now = this.clock.now();
    const areas = alert.info.areas;
    const polygons = areas.flatMap((a: CapArea) => a.polygons.map(polygonWkt));
    const circles = areas.flatMap((a) => a.circles);
    await this.checkGeometry(polygons);

    // A Cancel stores itself behind the stop barrier of the chain it lifts: nothing of that chain leaves after the commit.
    const lifted = alert.msgType === 'cancel' ? await this.findReferenced(this.dataSource.manager, alert) : null;
    const store = async (tx: EntityManager) => {
      const existing = await this.findExisting(tx, alert.sender, alert.identifier, alert.sent);
      if (existing) {
        return { ...existing, outcome: 'duplicate' as const, enqueue: false };
      }
      const earlier = await this.findReferenced(tx, alert);
      let outcome: IngestOutcome = 'created';
      if (alert.msgType === 'update') {
        outcome = earlier ? 'updated' : 'update_started_new_chain';
      } else if (alert.msgType === 'cancel') {
        outcome = earlier ? 'cancelled' : 'cancel_of_unknown_recorded';
      }
      const expired = alert.info.expires !== null && alert.info.expires.getTime() <= now.getTime();
      if (expired && alert.msgType !== 'cancel') {
        outcome = 'expired_on_arrival';
      }
      const about = this.describe(alert, earlier);
      const state =
        alert.msgType === 'cancel'
          ? 'lifted'
          : expired
            ? 'expired'
            : this.holds(from, about.colour)
              ? 'held'
              : 'received';
      const row = await this.warnings.receive(tx, {
        chainId: earlier?.chainId ?? null,
        version: earlier ? earlier.version + 1 : 1,
        source: from.source,
        sender: alert.sender,
        identifier: alert.identifier,
        sent: alert.sent,
        msgType: alert.msgType,
        status: alert.status,
        hazardType: about.hazardType,
        event: about.event.slice(0, 200),
        level: about.level,
        colour: about.colour,
        severity: alert.info.severity,
        headline: about.headline.slice(0, 300),
        description: alert.info.description,
        instruction: alert.info.instruction,
        language: alert.info.language,
        areaDesc: about.areaDesc,
        polygons,
        circles,
        areaCodes: [...new Set(areas.flatMap((a) => a.divisionCodes))],
        references:
          alert.references.map((r) => `${r.sender},${r.identifier},${r.sent.toISOString()}`).join(' ') || null,
        onset: alert.info.onset,
        expiresAt: alert.info.expires,
        state,
        isDrill: alert.status !== 'actual',
        raw: from.raw ?? null,
        ingestNotes: alert.notes,
      });
      if (!row) {
        // A concurrent request inserted the same message first.
        const again = await this.findExisting(tx, alert.sender, alert.identifier, alert.sent);
        if (!again) {
          throw new ConflictError('the same alert is being stored by another request; send it again（请重试）');
        }
        return { ...again, outcome: 'duplicate' as const, enqueue: false };
      }
      // Lifecycle effects (stopping calls and timers, lift notices) belong to @app/response.
      let followUp: PlannedWork | null = null;
      if (earlier && (outcome === 'updated' || outcome === 'cancelled')) {
        const drained = lifted?.chainId === row.chain_id;
        followUp = await this.lifecycle.closeEarlier(
          tx,
          row.chain_id,
          row.id,
          outcome === 'cancelled' ? 'lifted' : 'superseded',
          now,
          drained,
        );
      }
      await this.events.append(
        {
          type: 'WarningReceived',
          warningId: row.id,
          actor: from.actor,
          data: {
            msgType: alert.msgType,
            status: alert.status,
            outcome,
            version: row.version,
            source: from.source,
            ...(alert.notes.length > 0 ? { ignored: alert.notes } : {}),
          },
        },
        tx,
      );
      const outside =
        ['received', 'held'].includes(state) && alert.hasInfo && !(await this.insideKnownUnits(tx, row.id));
      return {
        id: row.id,
        chainId: row.chain_id,
        version: row.version,
        outcome,
        enqueue: state === 'received',
        followUp,
        outside,
        held: state === 'held',
      };
    };
    const result = lifted
      ? await this.lifecycle.liftSafely(lifted.chainId, store)
      : await this.dataSource.transaction(store);
    await this.afterCommit(('followUp' in result ? result.followUp : null) ?? null, {
      id: result.id,
      level: alert.info.level,
      expiresAt: alert.info.expires,
      live: result.enqueue,
    });
    this.logger.log({ msg: 'warning ingested', warningId: result.id, outcome: result.outcome });
    const warnings: IngestWarning[] = [
      ...(result.outcome === 'duplicate' ? [] : alert.notes).map((n) => ({
        code: 'ignored_empty_element' as const,
        field: n.field,
        message: n.note,
      })),
      ...('outside' in result && result.outside
        ? [{ code: 'outside_known_units' as const, message: OUTSIDE_UNITS }]
        : []),
    ];
    const held = result.held === true;
    return {
      id: result.id,
      chainId: result.chainId,
      version: result.version,
      outcome: result.outcome,
      drill: alert.status !== 'actual',
      warnings,
      held,
    };
  }

  /**
   * The jobs of a warning PostgreSQL now has (follow-up work of an earlier version, its expiry, its matching when it
   * is live), for ingest and for a held alert an officer confirms. The caller does not wait for Redis beyond
   * ENQUEUE_WAIT_MS: enqueues still pending go out when Redis is back (ioredis keeps them), and the sweep re-runs
   * whatever PostgreSQL says is still to do.
   */
  async afterCommit(
    work: PlannedWork | null,
    version: { id: string; level: number | null; expiresAt: Date | null; live: boolean },
  ): Promise<void> {
    const enqueue = async () => {
      await this.lifecycle.afterIngest(work, version);
      if (version.live) {
        await this.producer.matchWarning(version.id, version.level);
      }
    };
    await settleWithin(enqueue(), ENQUEUE_WAIT_MS, (e) =>
      this.logger.warn({ msg: `enqueue after ingest deferred: ${(e as Error).message}`, warningId: version.id }),
    );
  }

  /** Whether TRIAGE_HOLD keeps this source's alert of this colour for the desk's 研判. */
  private holds(from: IngestSource, colour: WarningColour | null): boolean {
    const colours = from.source === 'officer' ? undefined : this.config.ingest.triageHold[from.source];
    return colour !== null && (colours ?? []).includes(colour);
  }

  /** Whether the stored area (polygons, circles, division codes) touches any administrative unit we know. */
  private async insideKnownUnits(tx: EntityManager, warningId: string): Promise<boolean> {
    const [row] = await tx.query<Array<{ inside: boolean }>>(
      `SELECT EXISTS (
         SELECT 1 FROM admin_units u, warnings w WHERE w.id = $1
           AND ((w.area_geom IS NOT NULL AND u.geom IS NOT NULL AND ST_Intersects(u.geom, w.area_geom))
             OR EXISTS (SELECT 1 FROM unnest(w.area_codes) c WHERE u.code LIKE c || '%' OR c LIKE u.code || '%'))) AS inside`,
      [warningId],
    );
    return row.inside;
  }

  /** Self-intersecting or otherwise invalid polygons are refused before anything is written. */
  private async checkGeometry(polygons: string[]): Promise<void> {
    if (polygons.length === 0) {
      return;
    }
    const rows = await this.dataSource.query<Array<{ i: string; reason: string }>>(
      `SELECT i, ST_IsValidReason(ST_GeomFromText(p, 4326)) AS reason FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i)`,
      [polygons],
    );
    const bad = rows.find((r) => r.reason !== 'Valid Geometry');
    if (bad) {
      throw new ValidationError(
        `area polygon ${bad.i} is not a valid polygon: ${bad.reason}（多边形无效，请检查坐标顺序与自相交）`,
        {
          field: `info.area.polygon[${Number(bad.i) - 1}]`,
          problem: bad.reason,
        },
      );
    }
  }

  private async findExisting(tx: EntityManager, sender: string, identifier: string, sent: Date) {
    const [row] = await tx.query<Array<{ id: string; chainId: string; version: number; held: boolean }>>(
      `SELECT id, chain_id AS "chainId", version, state = 'held' AS held FROM warnings WHERE sender = $1 AND identifier = $2 AND sent = $3`,
      [sender, identifier, sent],
    );
    return row ?? null;
  }

  /**
   * A message without an info block (a bare Cancel, usually) takes what it is about from the warning it
   * references; with nothing to inherit it is recorded under its own identifier and calls nobody.
   */
  private describe(alert: NormalizedAlert, earlier: Referenced | null) {
    const info = alert.info;
    if (alert.hasInfo || !earlier) {
      return {
        hazardType: info.hazardType,
        event: info.event,
        level: info.level,
        colour: info.colour,
        headline: info.headline || info.event || alert.identifier,
        areaDesc: info.areas.map((a) => a.areaDesc).join('；'),
      };
    }
    return earlier;
  }

  /** The newest known warning among the references, and the chain's highest version, locked for the update. */
  private async findReferenced(tx: EntityManager, alert: NormalizedAlert) {
    if (alert.references.length === 0) {
      return null;
    }
    const [row] = await tx.query<Array<Referenced>>(
      `SELECT w.chain_id AS "chainId",
              (SELECT max(version) FROM warnings v WHERE v.chain_id = w.chain_id) AS version,
              w.hazard_type AS "hazardType", w.event, w.level, w.colour, w.headline, w.area_desc AS "areaDesc"
       FROM warnings w
       WHERE (w.sender, w.identifier) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY w.sent DESC LIMIT 1`,
      [alert.references.map((r) => r.sender), alert.references.map((r) => r.identifier)],
    );
    if (row) {
      await tx.query(`SELECT id FROM warnings WHERE chain_id = $1 FOR UPDATE`, [row.chainId]);
    }
    return row ?? null;
  }
}
