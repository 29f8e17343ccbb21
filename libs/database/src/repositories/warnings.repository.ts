import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A warning version as received (CAP, a feed, an officer), with its area as WKT polygons and circles. */
export interface NewWarningRow {
  /** The chain it continues (null: a new chain) and its version there. */
  chainId: string | null;
  version: number;
  source: string;
  sender: string;
  identifier: string;
  sent: Date;
  msgType: string;
  status: string;
  hazardType: string;
  event: string;
  level: number | null;
  colour: string | null;
  severity: string;
  headline: string;
  description: string;
  instruction: string;
  language: string;
  areaDesc: string;
  polygons: string[];
  circles: Array<{ lon: number; lat: number; radiusKm: number }>;
  areaCodes: string[];
  /** CAP `references`: `sender,identifier,sent` separated by spaces. */
  references: string | null;
  onset: Date | null;
  expiresAt: Date | null;
  state: string;
  isDrill: boolean;
  raw: string | null;
  ingestNotes: unknown;
}

/** What a lift version copies and says of its own. */
export interface LiftVersion {
  source: string;
  sent: Date;
  headline: string;
  description: string;
  /** CAP `references` of the version it lifts. */
  references: string;
}

/** States a new version stops: live ones, and one still held for 研判 (nobody was called for it yet). */
const LIVE_STATES_SQL = `('held','received','matching','tracking')`;

/** PostGIS expression building the warning area from polygons ($1, WKT) and circles ($2-$4: centre + km). */
const AREA_SQL = `(
  SELECT ST_Multi(ST_CollectionExtract(ST_Union(g), 3)) FROM (
    SELECT ST_GeomFromText(p, 4326) AS g FROM unnest($1::text[]) AS p
    UNION ALL
    SELECT ST_Buffer(ST_SetSRID(ST_MakePoint(c[1], c[2]), 4326)::geography, c[3] * 1000, 32)::geometry
    FROM (SELECT ARRAY[x, y, r] AS c FROM unnest($2::float8[], $3::float8[], $4::float8[]) AS t(x, y, r)) cs
  ) parts)`;

/**
 * The only writer of `warnings`: versions received or made to lift a chain, their state through triage, matching,
 * tracking, the end of the chain and closure, and the 无匹配对象 flag. The caller passes its transaction's manager.
 */
@Injectable()
export class WarningsRepository {
  /** Stores a version; null when the same message (sender, identifier, sent) is already stored. */
  async receive(
    manager: EntityManager,
    w: NewWarningRow,
  ): Promise<{ id: string; chain_id: string; version: number } | null> {
    const [row] = await manager.query<Array<{ id: string; chain_id: string; version: number }>>(
      `INSERT INTO warnings (chain_id, version, source, sender, identifier, sent, msg_type, status, hazard_type, event,
          level, colour, severity, headline, description, instruction, language, area_desc, area_geom, area_codes, area_circles,
          "references", onset, expires_at, state, is_drill, raw, ingest_notes)
       VALUES (coalesce($5::uuid, gen_random_uuid()), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
          $20, $21, $22, CASE WHEN cardinality($1::text[]) + cardinality($2::float8[]) > 0 THEN ${AREA_SQL} END,
          $23, $30, $24, $25, $26, $27, $28, $29, $31)
       ON CONFLICT (sender, identifier, sent) DO NOTHING
       RETURNING id, chain_id, version`,
      [
        w.polygons,
        w.circles.map((c) => c.lon),
        w.circles.map((c) => c.lat),
        w.circles.map((c) => c.radiusKm),
        w.chainId,
        w.version,
        w.source,
        w.sender,
        w.identifier,
        w.sent,
        w.msgType,
        w.status,
        w.hazardType,
        w.event,
        w.level,
        w.colour,
        w.severity,
        w.headline,
        w.description,
        w.instruction,
        w.language,
        w.areaDesc,
        w.areaCodes,
        w.references,
        w.onset,
        w.expiresAt,
        w.state,
        w.isDrill,
        w.raw,
        JSON.stringify(w.circles.map((c) => ({ lon: c.lon, lat: c.lat, radiusKm: c.radiusKm }))),
        JSON.stringify(w.ingestNotes),
      ],
    );
    return row ?? null;
  }

  /** The next version of `liveId`'s chain, a cancel that lifts it (copies its area and wording). Returns its id. */
  async addLiftVersion(manager: EntityManager, liveId: string, lift: LiftVersion): Promise<string> {
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO warnings (chain_id, version, source, sender, identifier, sent, msg_type, status, hazard_type, event, level,
          colour, severity, headline, description, instruction, language, area_desc, area_geom, area_codes, "references",
          onset, expires_at, state, is_drill)
       SELECT chain_id, (SELECT max(version) + 1 FROM warnings v WHERE v.chain_id = w.chain_id), $2, sender,
          left(identifier, 230) || '-lift', $3, 'cancel', status, hazard_type, event, level, colour, severity, left($4, 300), $5, '',
          language, area_desc, area_geom, area_codes, $6, onset, NULL, 'lifted', is_drill
       FROM warnings w WHERE id = $1 RETURNING id`,
      [liveId, lift.source, lift.sent, lift.headline, lift.description, lift.references],
    );
    return row.id;
  }

  /** Every version of the chain still in force except `exceptId` ends as `state`; returns their ids. */
  async endOthersInChain(manager: EntityManager, chainId: string, exceptId: string, state: string): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE warnings SET state = $3 WHERE chain_id = $1 AND id <> $2 AND state IN ${LIVE_STATES_SQL} RETURNING id) SELECT id FROM u`,
      [chainId, exceptId, state],
    );
    return rows.map((r) => r.id);
  }

  /** The duty officer's decision on a held alert. */
  async triage(manager: EntityManager, id: string, state: 'received' | 'dismissed'): Promise<void> {
    await manager.query(`UPDATE warnings SET state = $2 WHERE id = $1`, [id, state]);
  }

  /** Matched and planned: its calls are being tracked. */
  async markTracking(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE warnings SET state = 'tracking' WHERE id = $1`, [id]);
  }

  /** Closure (复盘): versions lifted or expired become closed. */
  async closeEnded(manager: EntityManager, ids: string[]): Promise<void> {
    await manager.query(
      `UPDATE warnings SET state = 'closed' WHERE id = ANY($1::uuid[]) AND state IN ('lifted','expired')`,
      [ids],
    );
  }

  /** 无匹配对象: the warning called nobody, for this reason. */
  async flagUnmatched(manager: EntityManager, id: string, reason: string, detail: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE warnings SET unmatched_reason = $2, unmatched_detail = $3, unmatched_at = $4 WHERE id = $1`,
      [id, reason, detail, at],
    );
  }

  /** The duty desk has dealt with the 无匹配对象 flag. */
  async dismissUnmatched(manager: EntityManager, id: string, at: Date, by: string): Promise<void> {
    await manager.query(`UPDATE warnings SET unmatched_dismissed_at = $2, unmatched_dismissed_by = $3 WHERE id = $1`, [
      id,
      at,
      by,
    ]);
  }
}
