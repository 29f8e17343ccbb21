import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, ValidationError } from '@app/common';
import { EventLog, WarningColour } from '@app/database';
import { JobProducer } from '@app/queue';
import { PlannedWork, WarningLifecycle } from '@app/response';
import type { CapArea, NormalizedAlert } from './cap/normalized-alert';

export type IngestOutcome =
  | 'created'
  | 'duplicate'
  | 'updated'
  | 'update_started_new_chain'
  | 'cancelled'
  | 'cancel_of_unknown_recorded'
  | 'expired_on_arrival';

export interface IngestResult {
  id: string;
  chainId: string;
  version: number;
  outcome: IngestOutcome;
  drill: boolean;
}

export interface IngestSource {
  source: 'cap' | 'officer' | 'feed' | 'sensor';
  actor: string;
  raw?: string | null;
}

/** PostGIS expression building the warning area from polygons (WKT) and circles (centre + km). */
const AREA_SQL = `(
  SELECT ST_Multi(ST_CollectionExtract(ST_Union(g), 3)) FROM (
    SELECT ST_GeomFromText(p, 4326) AS g FROM unnest($1::text[]) AS p
    UNION ALL
    SELECT ST_Buffer(ST_SetSRID(ST_MakePoint(c[1], c[2]), 4326)::geography, c[3] * 1000, 32)::geometry
    FROM (SELECT ARRAY[x, y, r] AS c FROM unnest($2::float8[], $3::float8[], $4::float8[]) AS t(x, y, r)) cs
  ) parts)`;

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
@Injectable()
export class AlertIngestService {
  private readonly logger = new Logger(AlertIngestService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly lifecycle: WarningLifecycle,
  ) {}

  async ingest(alert: NormalizedAlert, from: IngestSource): Promise<IngestResult> {
    const now = this.clock.now();
    const areas = alert.info.areas;
    const polygons = areas.flatMap((a: CapArea) => a.polygons.map(polygonWkt));
    const circles = areas.flatMap((a) => a.circles);
    await this.checkGeometry(polygons);

    const result = await this.dataSource.transaction(async (tx) => {
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
      const state = alert.msgType === 'cancel' ? 'lifted' : expired ? 'expired' : 'received';
      const about = this.describe(alert, earlier);
      const [row] = await tx.query<Array<{ id: string; chain_id: string; version: number }>>(
        `INSERT INTO warnings (chain_id, version, source, sender, identifier, sent, msg_type, status, hazard_type, event,
            level, colour, severity, headline, description, instruction, language, area_desc, area_geom, area_codes, area_circles,
            "references", onset, expires_at, state, is_drill, raw)
         VALUES (coalesce($5::uuid, gen_random_uuid()), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22, CASE WHEN cardinality($1::text[]) + cardinality($2::float8[]) > 0 THEN ${AREA_SQL} END,
            $23, $30, $24, $25, $26, $27, $28, $29)
         ON CONFLICT (sender, identifier, sent) DO NOTHING
         RETURNING id, chain_id, version`,
        [
          polygons,
          circles.map((c) => c.lon),
          circles.map((c) => c.lat),
          circles.map((c) => c.radiusKm),
          earlier?.chainId ?? null,
          earlier ? earlier.version + 1 : 1,
          from.source,
          alert.sender,
          alert.identifier,
          alert.sent,
          alert.msgType,
          alert.status,
          about.hazardType,
          about.event.slice(0, 200),
          about.level,
          about.colour,
          alert.info.severity,
          about.headline.slice(0, 300),
          alert.info.description,
          alert.info.instruction,
          alert.info.language,
          about.areaDesc,
          [...new Set(areas.flatMap((a) => a.divisionCodes))],
          alert.references.map((r) => `${r.sender},${r.identifier},${r.sent.toISOString()}`).join(' ') || null,
          alert.info.onset,
          alert.info.expires,
          state,
          alert.status !== 'actual',
          from.raw ?? null,
          JSON.stringify(circles.map((c) => ({ lon: c.lon, lat: c.lat, radiusKm: c.radiusKm }))),
        ],
      );
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
        followUp = await this.lifecycle.closeEarlier(tx, row.chain_id, row.id, outcome === 'cancelled' ? 'lifted' : 'superseded', now);
      }
      await this.events.append(
        {
          type: 'WarningReceived',
          warningId: row.id,
          actor: from.actor,
          data: { msgType: alert.msgType, status: alert.status, outcome, version: row.version, source: from.source },
        },
        tx,
      );
      return { id: row.id, chainId: row.chain_id, version: row.version, outcome, enqueue: state === 'received', followUp };
    });
    await this.lifecycle.afterIngest(('followUp' in result ? result.followUp : null) ?? null, {
      id: result.id,
      expiresAt: alert.info.expires,
      live: result.enqueue,
    });

    if (result.enqueue) {
      await this.producer.matchWarning(result.id, alert.info.level);
    }
    this.logger.log({ msg: 'warning ingested', warningId: result.id, outcome: result.outcome });
    return { id: result.id, chainId: result.chainId, version: result.version, outcome: result.outcome, drill: alert.status !== 'actual' };
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
      throw new ValidationError(`area polygon ${bad.i} is not a valid polygon: ${bad.reason}（多边形无效，请检查坐标顺序与自相交）`, {
        field: `info.area.polygon[${Number(bad.i) - 1}]`,
        problem: bad.reason,
      });
    }
  }

  private async findExisting(tx: EntityManager, sender: string, identifier: string, sent: Date) {
    const [row] = await tx.query<Array<{ id: string; chainId: string; version: number }>>(
      `SELECT id, chain_id AS "chainId", version FROM warnings WHERE sender = $1 AND identifier = $2 AND sent = $3`,
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
