import { EntityManager } from 'typeorm';
import { seedOf } from './deterministic-id';
import { DivisionTree } from './division-tree';
import { ObjectPlan } from './protected-objects';
import { ZonePlan } from './risk-zones';

// SYNTHETIC geometry, generated in PostGIS: there are no public town/village outlines for these counties,
// so children are Voronoi cells of seeded random points inside their parent, clipped to it.

/** Makes any polygonal result a valid MultiPolygon (drops points/lines left by clipping). */
export const MULTI = (expr: string) => `ST_Multi(ST_CollectionExtract(ST_MakeValid(${expr}), 3))`;

/** Lloyd relaxation rounds: move each seed to its clipped cell's centroid so cells get more even sizes. */
const LLOYD_ROUNDS = 1;

/**
 * Gives every child of the given parents an outline: ST_GeneratePoints(parent, n, seed) →
 * ST_VoronoiPolygons → ST_Intersection with the parent; point i (1-based) goes to the i-th child in
 * code order. A parent with a single child passes its own outline down.
 */
export async function partitionChildren(m: EntityManager, tree: DivisionTree, parentCodes: string[]): Promise<void> {
  const parents = parentCodes
    .map((code) => ({ code, children: tree.childrenOf(code) }))
    .filter((p) => p.children.length > 0);
  const kids = parents.flatMap((p) => p.children.map((c, i) => ({ parent: p.code, idx: i + 1, code: c.code })));

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
      parents.map((p) => p.children.length),
      parents.map((p) => seedOf(`outline-seeds:${p.code}`)),
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
 * Inserts the zones with their SYNTHETIC polygons: a seeded point inside the village (kept away from
 * its edge when the village is big enough), drawn as a strip, a disc or a blob of discs, clipped to
 * the village so every zone lies within it.
 */
export async function insertRiskZones(m: EntityManager, zones: ZonePlan[]): Promise<void> {
  const shapeParams = zones.map((z) => {
    switch (z.shape.type) {
      case 'strip':
        return {
          type: 'strip',
          radius: z.shape.widthM / 2,
          length: z.shape.lengthM,
          azimuth: z.shape.azimuthDeg,
          points: 1,
        };
      case 'disc':
        return { type: 'disc', radius: z.shape.radiusM, length: 0, azimuth: 0, points: 1 };
      case 'blob':
        return { type: 'blob', radius: z.shape.radiusM, length: 0, azimuth: 0, points: z.shape.points };
    }
  });
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
      shapeParams.map((s) => s.type),
      shapeParams.map((s) => s.radius),
      shapeParams.map((s) => s.length),
      shapeParams.map((s) => s.azimuth),
      shapeParams.map((s) => s.points),
      zones.map((z) => z.seed),
    ],
  );
}

/** Inserts the objects at a SYNTHETIC seeded point inside their village. */
export async function insertProtectedObjects(m: EntityManager, objects: ObjectPlan[]): Promise<void> {
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
