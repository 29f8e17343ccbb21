import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface AreaMatch {
  zones: Array<{ id: string; code: string; name: string; unitCode: string }>;
  objects: Array<{ id: string; code: string; name: string; unitCode: string; type: string }>;
  /** Towns and villages the area touches, plus the units of matched zones and objects. */
  unitCodes: string[];
}

export interface Circle {
  lon: number;
  lat: number;
  radiusKm: number;
}

/** A warning area given as parameters: polygons as WKT, circles, division codes (a town code covers its villages). */
export interface MatchArea {
  polygons: string[];
  circles: Circle[];
  codes: string[];
}

/** Where the area comes from: a stored warning's columns, or parameters $1..$3. Each yields (geom, circles, codes). */
const STORED_AREA = `SELECT area_geom AS geom, area_circles AS circles, area_codes AS codes FROM warnings WHERE id = $1`;
const GIVEN_AREA = `SELECT (SELECT ST_Union(ST_GeomFromText(p, 4326)) FROM unnest($1::text[]) AS p) AS geom,
  $2::jsonb AS circles, $3::varchar[] AS codes`;

/**
 * Keys of a table's rows inside the area, as a union of three index-friendly parts: polygons by ST_Intersects,
 * circles by ST_DWithin on geography (bounding-box prefilter on the GiST index), and division-code prefixes.
 */
function withHits(areaSql: string, table: string, key: string, code: string): string {
  return `WITH area AS MATERIALIZED (${areaSql}),
    circ AS MATERIALIZED (
      SELECT ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography AS centre, c."radiusKm" * 1000 AS m,
             ST_Buffer(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography, c."radiusKm" * 1010, 8)::geometry AS box
      FROM area, jsonb_to_recordset(area.circles) AS c(lon float8, lat float8, "radiusKm" float8)),
    hits AS (
      SELECT t.${key} AS k FROM ${table} t, area WHERE ST_Intersects(t.geom, area.geom)
      UNION SELECT t.${key} FROM ${table} t JOIN circ ON t.geom && circ.box AND ST_DWithin(t.geom::geography, circ.centre, circ.m)
      UNION SELECT t.${key} FROM ${table} t, area, unnest(area.codes) AS c WHERE t.${code} LIKE c || '%')`;
}

/** PostGIS matching of a warning's area to risk zones, protected objects and administrative units. */
@Injectable()
export class AreaMatcher {
  /** The area of a stored warning (polygons incl. buffered circles in area_geom, circles, codes). */
  async match(
    manager: EntityManager,
    warningId: string,
    zoneKinds: string[],
    objectTypes: string[],
  ): Promise<AreaMatch> {
    return this.run(manager, STORED_AREA, [warningId], zoneKinds, objectTypes);
  }

  /** An area given as parameters, for previews of warnings not stored yet. */
  async matchArea(
    manager: EntityManager,
    area: MatchArea,
    zoneKinds: string[],
    objectTypes: string[],
  ): Promise<AreaMatch> {
    return this.run(
      manager,
      GIVEN_AREA,
      [area.polygons, JSON.stringify(area.circles), area.codes],
      zoneKinds,
      objectTypes,
    );
  }

  private async run(
    manager: EntityManager,
    areaSql: string,
    params: unknown[],
    zoneKinds: string[],
    objectTypes: string[],
  ): Promise<AreaMatch> {
    const n = params.length;
    const zones = await manager.query<AreaMatch['zones']>(
      `${withHits(areaSql, 'risk_zones', 'id', 'admin_unit_code')}
       SELECT z.id, z.code, z.name, z.admin_unit_code AS "unitCode" FROM risk_zones z JOIN hits ON hits.k = z.id
       WHERE z.status = 'active' AND z.kind = ANY($${n + 1}::varchar[]) ORDER BY z.code`,
      [...params, zoneKinds],
    );
    const objects = await manager.query<AreaMatch['objects']>(
      `${withHits(areaSql, 'protected_objects', 'id', 'admin_unit_code')}
       SELECT o.id, o.code, o.name, o.type, o.admin_unit_code AS "unitCode" FROM protected_objects o JOIN hits ON hits.k = o.id
       WHERE o.type = ANY($${n + 1}::varchar[]) ORDER BY o.code`,
      [...params, objectTypes],
    );
    const units = await manager.query<Array<{ code: string }>>(
      `${withHits(areaSql, 'admin_units', 'code', 'code')}
       SELECT u.code FROM admin_units u JOIN hits ON hits.k = u.code WHERE u.level IN ('town', 'village')`,
      params,
    );
    const unitCodes = new Set(units.map((u) => u.code));
    for (const t of [...zones, ...objects]) {
      unitCodes.add(t.unitCode);
    }
    return { zones, objects, unitCodes: [...unitCodes].sort() };
  }
}
