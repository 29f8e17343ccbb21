import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { insertMany } from './bulk-insert';
import { AreaScope, inAreaSql } from './roster.repository';

/** Makes any polygonal result a valid MultiPolygon (drops points/lines left by clipping). */
const MULTI = (expr: string) => `ST_Multi(ST_CollectionExtract(ST_MakeValid(${expr}), 3))`;

/** Lloyd relaxation rounds: move each seed to its clipped cell's centroid so cells get more even sizes. */
const LLOYD_ROUNDS = 1;

export interface NewUnit {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}

/** A parent whose children get SYNTHETIC outlines: its children in order, and the seed of its random points. */
export interface OutlineParent {
  code: string;
  childCodes: string[];
  seed: number;
}

/** A zone drawn around a seeded point of its village: a strip, a disc or a blob of discs (metres, degrees). */
export interface NewSyntheticZone {
  id: string;
  code: string;
  name: string;
  hazardType: string;
  kind: string;
  riskGrade: string;
  villageCode: string;
  households: number;
  persons: number;
  shape: 'strip' | 'disc' | 'blob';
  radiusM: number;
  lengthM: number;
  azimuthDeg: number;
  points: number;
  seed: number;
}

export interface NewSyntheticObject {
  id: string;
  code: string;
  name: string;
  type: string;
  villageCode: string;
  attrs: object;
  seed: number;
}

export interface NewBroadcastDevice {
  id: string;
  code: string;
  name: string;
  riskZoneId: string;
  adminUnitCode: string;
}

export interface NewStation {
  code: string;
  name: string;
  kind: string;
  /** The admin unit the station stands in (at a point inside it); nothing is added when the unit does not exist. */
  unit: string;
  warningLevel: number | null;
  guaranteedLevel: number | null;
  floodLimitLevel: number | null;
  rain: readonly object[];
}

/**
 * The writer of the map: `admin_units` with their outlines, `risk_zones`, `protected_objects`, `shelters`,
 * `stations` and `broadcast_devices`. The demo seed and the province generator load them set-based (outlines and
 * shapes drawn in PostGIS from seeds they plan) and reset them per area.
 */
@Injectable()
export class GeographyRepository {
  /** Units without outline, unless already there (the upper divisions the demo and the province hang under). */
  async addUnits(m: EntityManager, units: NewUnit[]): Promise<void> {
    await m.query(
      `INSERT INTO admin_units (code, name, level, parent_code)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) ON CONFLICT (code) DO NOTHING`,
      [units.map((u) => u.code), units.map((u) => u.name), units.map((u) => u.level), units.map((u) => u.parentCode)],
    );
  }

  /** Units with their real outline (GeoJSON in WGS84, null when none is known yet). */
  async insertUnitsWithOutlines(m: EntityManager, units: Array<NewUnit & { outline: string | null }>): Promise<void> {
    await m.query(
      `INSERT INTO admin_units (code, name, level, parent_code, geom, geom_synthetic)
       SELECT u.code, u.name, u.level, u.parent_code,
         CASE WHEN u.outline IS NULL THEN NULL ELSE ${MULTI('ST_SetSRID(ST_GeomFromGeoJSON(u.outline), 4326)')} END, false
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::text[])
         AS u(code, name, level, parent_code, outline)`,
      [
        units.map((u) => u.code),
        units.map((u) => u.name),
        units.map((u) => u.level),
        units.map((u) => u.parentCode),
        units.map((u) => u.outline),
      ],
    );
  }

  /**
   * SYNTHETIC units: `boxed` gets the WGS84 rectangle [west, south, east, north] as its outline, the others none
   * yet (drawSyntheticOutlines gives them theirs).
   */
  async insertSyntheticUnits(
    m: EntityManager,
    units: NewUnit[],
    boxed: { code: string; box: [number, number, number, number] },
  ): Promise<void> {
    await m.query(
      `INSERT INTO admin_units (code, name, level, parent_code, geom, geom_synthetic)
       SELECT u.code, u.name, u.level, u.parent_code,
         CASE WHEN u.code = $5 THEN ST_Multi(ST_MakeEnvelope($6, $7, $8, $9, 4326)) END, true
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) AS u(code, name, level, parent_code)`,
      [
        units.map((u) => u.code),
        units.map((u) => u.name),
        units.map((u) => u.level),
        units.map((u) => u.parentCode),
        boxed.code,
        ...boxed.box,
      ],
    );
  }

  /**
   * Gives every child of the given parents a SYNTHETIC outline: ST_GeneratePoints(parent, n, seed) →
   * ST_VoronoiPolygons → ST_Intersection with the parent; point i (1-based) goes to the i-th child. A parent with a
   * single child passes its own outline down. Throws when a child is left without an outline.
   */
  async drawSyntheticOutlines(m: EntityManager, parents: OutlineParent[]): Promise<void> {
    const kids = parents.flatMap((p) => p.childCodes.map((code, i) => ({ parent: p.code, idx: i + 1, code })));

    await m.query(`CREATE TEMP TABLE IF NOT EXISTS demo_seeds (
      parent_code varchar(12), idx int, child_code varchar(12), geom geometry(Point, 4326)) ON COMMIT DROP`);
    await m.query(`TRUNCATE demo_seeds`);
    await m.query(
      `WITH parents AS (SELECT * FROM unnest($1::varchar[], $2::int[], $3::int[]) AS x(code, n, seed)),
       pts AS (
         SELECT pa.code, d.path[1] AS idx, d.geom
         FROM parents pa JOIN admin_units u ON u.code = pa.code,
         LATERAL ST_Dump(ST_GeneratePoints(u.geom, pa.n, pa.seed)) d)
       INSERT INTO demo_seeds (parent_code, idx, child_code, geom)
       SELECT k.parent_code, k.idx, k.child_code, pts.geom
       FROM unnest($4::varchar[], $5::int[], $6::varchar[]) AS k(parent_code, idx, child_code)
       JOIN pts ON pts.code = k.parent_code AND pts.idx = k.idx`,
      [
        parents.map((p) => p.code),
        parents.map((p) => p.childCodes.length),
        parents.map((p) => p.seed),
        kids.map((k) => k.parent),
        kids.map((k) => k.idx),
        kids.map((k) => k.code),
      ],
    );

    // Clipped Voronoi cell of every seed of a parent with two or more children.
    const clipped = `
      cells AS (
        SELECT s.parent_code,
          (ST_Dump(ST_VoronoiPolygons(ST_Collect(s.geom), 0,
            (SELECT ST_Expand(geom, 0.05) FROM admin_units WHERE code = s.parent_code)))).geom AS cell
        FROM demo_seeds s GROUP BY s.parent_code HAVING count(*) > 1),
      clipped AS (
        SELECT s.parent_code, s.idx, s.child_code, u.geom AS parent_geom,
          ST_CollectionExtract(ST_Intersection(c.cell, u.geom), 3) AS g
        FROM demo_seeds s
        JOIN cells c ON c.parent_code = s.parent_code AND ST_Contains(c.cell, s.geom)
        JOIN admin_units u ON u.code = s.parent_code)`;

    for (let round = 0; round < LLOYD_ROUNDS; round++) {
      await m.query(
        `WITH ${clipped}
         UPDATE demo_seeds s SET geom = CASE
           WHEN ST_Contains(cl.parent_geom, ST_Centroid(cl.g)) THEN ST_Centroid(cl.g)
           ELSE ST_PointOnSurface(cl.g) END
         FROM clipped cl
         WHERE cl.parent_code = s.parent_code AND cl.idx = s.idx AND NOT ST_IsEmpty(cl.g)`,
      );
    }
    await m.query(
      `WITH ${clipped}
       UPDATE admin_units a SET geom = ${MULTI('cl.g')}, geom_synthetic = true
       FROM clipped cl WHERE a.code = cl.child_code`,
    );
    // Grouped once: a count per seed row would scan every seed for each (11,000² rows for a province's villages).
    await m.query(
      `WITH single AS (SELECT parent_code FROM demo_seeds GROUP BY parent_code HAVING count(*) = 1)
       UPDATE admin_units a SET geom = p.geom, geom_synthetic = true
       FROM demo_seeds s JOIN single USING (parent_code) JOIN admin_units p ON p.code = s.parent_code
       WHERE a.code = s.child_code`,
    );

    const missing = await m.query<Array<{ code: string }>>(
      `SELECT a.code FROM admin_units a WHERE a.code = ANY($1) AND (a.geom IS NULL OR ST_IsEmpty(a.geom))`,
      [kids.map((k) => k.code)],
    );
    if (missing.length > 0) {
      throw new Error(`synthetic outlines: no cell for ${missing.map((r) => r.code).join(', ')}`);
    }
  }

  /**
   * Zones with their SYNTHETIC polygons: a seeded point inside the village (kept away from its edge when the village
   * is big enough), drawn as a strip, a disc or a blob of discs, clipped to the village so every zone lies within it.
   */
  async insertSyntheticZones(m: EntityManager, zones: NewSyntheticZone[]): Promise<void> {
    await m.query(
      `INSERT INTO risk_zones (id, code, name, hazard_type, kind, risk_grade, geom, admin_unit_code,
         threatened_households, threatened_persons, status, synthetic)
       SELECT z.id, z.code, z.name, z.hazard_type, z.kind, z.risk_grade, ${MULTI('ST_Intersection(r.raw, v.geom)')},
         z.village, z.households, z.persons, 'active', true
       FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[],
         $8::int[], $9::int[], $10::varchar[], $11::float8[], $12::float8[], $13::float8[], $14::int[], $15::int[])
         AS z(id, code, name, hazard_type, kind, risk_grade, village, households, persons, shape, radius_m, length_m,
           azimuth, npoints, seed)
       JOIN admin_units v ON v.code = z.village
       CROSS JOIN LATERAL (
         SELECT ST_CollectionExtract(ST_Buffer(v.geom, -(z.radius_m + z.length_m / 2) / 100000.0), 3) AS core) i
       CROSS JOIN LATERAL (
         SELECT ST_GeometryN(ST_GeneratePoints(CASE WHEN ST_IsEmpty(i.core) THEN v.geom ELSE i.core END, 1, z.seed), 1)
           AS p) c
       CROSS JOIN LATERAL (
         SELECT CASE z.shape
           WHEN 'strip' THEN ST_Buffer(ST_MakeLine(
               ST_Project(c.p::geography, z.length_m / 2, radians(z.azimuth))::geometry,
               ST_Project(c.p::geography, z.length_m / 2, radians(z.azimuth + 180))::geometry)::geography,
             z.radius_m)::geometry
           WHEN 'blob' THEN ST_Buffer(ST_GeneratePoints(
               ${MULTI('ST_Intersection(ST_Buffer(c.p::geography, z.radius_m * 1.5)::geometry, v.geom)')},
               z.npoints, z.seed)::geography, z.radius_m)::geometry
           ELSE ST_Buffer(c.p::geography, z.radius_m)::geometry
         END AS raw) r`,
      [
        zones.map((z) => z.id),
        zones.map((z) => z.code),
        zones.map((z) => z.name),
        zones.map((z) => z.hazardType),
        zones.map((z) => z.kind),
        zones.map((z) => z.riskGrade),
        zones.map((z) => z.villageCode),
        zones.map((z) => z.households),
        zones.map((z) => z.persons),
        zones.map((z) => z.shape),
        zones.map((z) => z.radiusM),
        zones.map((z) => z.lengthM),
        zones.map((z) => z.azimuthDeg),
        zones.map((z) => z.points),
        zones.map((z) => z.seed),
      ],
    );
  }

  /** Objects at a SYNTHETIC seeded point inside their village. */
  async insertSyntheticObjects(m: EntityManager, objects: NewSyntheticObject[]): Promise<void> {
    await m.query(
      `INSERT INTO protected_objects (id, code, name, type, admin_unit_code, geom, attrs, synthetic)
       SELECT o.id, o.code, o.name, o.type, o.village,
         ST_GeometryN(ST_GeneratePoints(v.geom, 1, o.seed), 1), o.attrs, true
       FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::jsonb[], $7::int[])
         AS o(id, code, name, type, village, attrs, seed)
       JOIN admin_units v ON v.code = o.village`,
      [
        objects.map((o) => o.id),
        objects.map((o) => o.code),
        objects.map((o) => o.name),
        objects.map((o) => o.type),
        objects.map((o) => o.villageCode),
        objects.map((o) => JSON.stringify(o.attrs)),
        objects.map((o) => o.seed),
      ],
    );
  }

  /**
   * One SYNTHETIC temporary shelter (临时避灾点, capacity 120) in the committee building of every village that has a
   * risk zone, at a point inside the village; codes SH-<village code>, existing ones left alone.
   */
  async addVillageShelters(m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO shelters (code, name, admin_unit_code, capacity, geom, synthetic)
       SELECT 'SH-' || u.code, u.name || '村委会临时避灾点', u.code, 120, ST_PointOnSurface(u.geom), true
       FROM admin_units u
       WHERE u.level = 'village' AND u.geom IS NOT NULL AND EXISTS (SELECT 1 FROM risk_zones z WHERE z.admin_unit_code = u.code)
       ON CONFLICT (code) DO NOTHING`,
    );
  }

  async insertBroadcastDevices(m: EntityManager, rows: NewBroadcastDevice[]): Promise<void> {
    await insertMany<NewBroadcastDevice>(
      m,
      'broadcast_devices',
      [
        { name: 'id', type: 'uuid', value: (r) => r.id },
        { name: 'code', type: 'varchar', value: (r) => r.code },
        { name: 'name', type: 'varchar', value: (r) => r.name },
        { name: 'risk_zone_id', type: 'uuid', value: (r) => r.riskZoneId },
        { name: 'admin_unit_code', type: 'varchar', value: (r) => r.adminUnitCode },
      ],
      rows,
    );
  }

  /** A SYNTHETIC station at a point inside its unit, unless its code is taken or the unit missing; true when added. */
  async addSyntheticStation(m: EntityManager, s: NewStation): Promise<boolean> {
    const rows = await m.query<Array<{ id: string }>>(
      `INSERT INTO stations (code, name, kind, admin_unit_code, geom, warning_level, guaranteed_level, flood_limit_level,
          rain_thresholds, synthetic)
       SELECT $1, $2, $3, u.code, ST_PointOnSurface(u.geom), $5, $6, $7, $8, true FROM admin_units u WHERE u.code = $4
       ON CONFLICT (code) DO NOTHING RETURNING id`,
      [s.code, s.name, s.kind, s.unit, s.warningLevel, s.guaranteedLevel, s.floodLimitLevel, JSON.stringify(s.rain)],
    );
    return rows.length > 0;
  }

  /** Deletes the scope's stations, shelters and broadcast devices, a statement per table. */
  async deleteFacilities(m: EntityManager, scope: AreaScope): Promise<void> {
    const params = [scope.patterns];
    await m.query(`DELETE FROM stations WHERE ${inAreaSql(scope, '$1')}`, params);
    await m.query(`DELETE FROM shelters WHERE ${inAreaSql(scope, '$1')}`, params);
    await m.query(`DELETE FROM broadcast_devices WHERE admin_unit_code LIKE ANY ($1::text[])`, params);
  }

  /**
   * Deletes the scope's protected objects and risk zones (their households' phones go with them); the people and
   * facilities on them must be gone first (RosterRepository.deletePeople, deleteFacilities).
   */
  async deleteZonesAndObjects(m: EntityManager, scope: AreaScope): Promise<void> {
    const params = [scope.patterns];
    await m.query(`DELETE FROM protected_objects WHERE ${inAreaSql(scope, '$1')}`, params);
    await m.query(`DELETE FROM risk_zones WHERE ${inAreaSql(scope, '$1')}`, params);
  }

  /** Deletes these units, then those of `upperCodes` that nothing else hangs under any more (lowest level first). */
  async deleteUnits(m: EntityManager, codes: string[], upper: { codes: string[]; levels: string[] }): Promise<void> {
    await m.query(`DELETE FROM admin_units WHERE code = ANY ($1::varchar[])`, [codes]);
    for (const level of upper.levels) {
      await m.query(
        `DELETE FROM admin_units a WHERE a.code = ANY ($1::varchar[]) AND a.level = $2
           AND NOT EXISTS (SELECT 1 FROM admin_units c WHERE c.parent_code = a.code)`,
        [upper.codes, level],
      );
    }
  }

  /** Deletes every unit whose code starts with `prefix`, level by level from the bottom. */
  async deleteUnitsUnder(m: EntityManager, prefix: string, levelsBottomUp: string[]): Promise<void> {
    for (const level of levelsBottomUp) {
      await m.query(`DELETE FROM admin_units WHERE code LIKE $1 || '%' AND level = $2`, [prefix, level]);
    }
  }
}
