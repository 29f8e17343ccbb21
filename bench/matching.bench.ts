// Matching benchmark: a district-wide warning against ≥10,000 risk zones and ≥50,000 assignments in a scratch
// database, timed against the bare PostGIS query (zones ∩ area) measured in the same run.
//
//   npm run build && node dist/bench/matching.bench.js
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/jiaoying_bench_matching) is dropped and rebuilt.
import 'reflect-metadata';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig, loadResponseSpecs, resolveSpec } from '@app/config';
import { ResponseSpecsRepository, dataSourceOptions } from '@app/database';
import { AreaMatcher, MatchArea, RecipientResolver, ResponseSpecStore, WarningPreviewService } from '@app/matching';

const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_matching';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const COUNTY = '509900';
const TOWNS = 40; // 8 × 5 cells over 1° × 1°
const VILLAGES_PER_TOWN = 10; // 5 × 2 cells
const ZONES_PER_VILLAGE = 25; // 10,000 zones
const OBJECTS_PER_VILLAGE = 5; // 2,000 objects
const COUNTY_WKT = 'POLYGON((106 29, 107 29, 107 30, 106 30, 106 29))';

async function scratchDatabase(): Promise<DataSource> {
  const name = new globalThis.URL(URL).pathname.slice(1);
  const admin = new Client({ connectionString: URL.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) {
    await admin.query(`CREATE DATABASE "${name}"`);
  }
  await admin.end();
  const ds = await new DataSource(dataSourceOptions(URL)).initialize();
  await ds.query('DROP SCHEMA IF EXISTS public CASCADE');
  await ds.query('CREATE SCHEMA public');
  await ds.runMigrations();
  return ds;
}

/** A synthetic county: towns and villages as grid cells, zones and objects inside villages, a full roster. */
async function generate(ds: DataSource): Promise<Record<string, number>> {
  const q = (sql: string) => ds.query(sql);
  await q(`INSERT INTO admin_units (code, name, level) VALUES ('500000', '重庆市', 'province')`);
  await q(`INSERT INTO admin_units (code, name, level, parent_code, geom)
           VALUES ('${COUNTY}', '基准县', 'county', '500000', ST_Multi(ST_GeomFromText('${COUNTY_WKT}', 4326)))`);
  await q(`INSERT INTO admin_units (code, name, level, parent_code, geom)
           SELECT '${COUNTY}' || lpad(t::text, 3, '0'), '基准' || t || '镇', 'town', '${COUNTY}',
             ST_Multi(ST_MakeEnvelope(106 + ((t - 1) % 8) * 0.125, 29 + ((t - 1) / 8) * 0.2, 106 + ((t - 1) % 8 + 1) * 0.125,
                                      29 + ((t - 1) / 8 + 1) * 0.2, 4326))
           FROM generate_series(1, ${TOWNS}) t`);
  await q(`INSERT INTO admin_units (code, name, level, parent_code, geom)
           SELECT t.code || lpad((200 + v)::text, 3, '0'), t.name || v || '村', 'village', t.code,
             ST_Multi(ST_MakeEnvelope(ST_XMin(t.geom) + ((v - 1) % 5) * 0.025, ST_YMin(t.geom) + ((v - 1) / 5) * 0.1,
                                      ST_XMin(t.geom) + ((v - 1) % 5 + 1) * 0.025, ST_YMin(t.geom) + ((v - 1) / 5 + 1) * 0.1, 4326))
           FROM admin_units t, generate_series(1, ${VILLAGES_PER_TOWN}) v WHERE t.level = 'town'`);
  const kinds = `(ARRAY['flash_flood_danger_zone','hazard_point','risk_area','waterlogging_point','forest_area'])[1 + i % 5]`;
  await q(`INSERT INTO risk_zones (code, name, hazard_type, kind, geom, admin_unit_code, synthetic)
           SELECT 'Z-' || v.code || '-' || i, v.name || '风险区' || i, 'flash_flood', ${kinds},
             ST_MakeEnvelope(x, y, x + 0.0009, y + 0.0009, 4326), v.code, true
           FROM admin_units v, generate_series(1, ${ZONES_PER_VILLAGE}) i,
             LATERAL (SELECT ST_XMin(v.geom) + 0.001 + (i % 5) * 0.0045 AS x, ST_YMin(v.geom) + 0.001 + (i / 5) * 0.018 AS y) p
           WHERE v.level = 'village'`);
  const types = `(ARRAY['reservoir','hydropower','school','mine','scenic_spot'])[1 + i % 5]`;
  await q(`INSERT INTO protected_objects (code, name, type, admin_unit_code, geom, synthetic)
           SELECT 'O-' || v.code || '-' || i, v.name || '对象' || i, ${types}, v.code,
             ST_SetSRID(ST_MakePoint(ST_XMin(v.geom) + 0.02, ST_YMin(v.geom) + 0.015 * i), 4326), true
           FROM admin_units v, generate_series(1, ${OBJECTS_PER_VILLAGE}) i WHERE v.level = 'village'`);
  // People: one per unit role, one per zone and object role; every number unique.
  await q(`CREATE TEMP TABLE staff AS
           SELECT u.code AS unit, r.role, gen_random_uuid() AS id FROM admin_units u
           CROSS JOIN unnest(ARRAY['party_secretary','admin','duty_officer','commander','technical','grid_worker','deputy']) r(role)
           WHERE u.level IN ('county', 'town', 'village')`);
  await q(
    `INSERT INTO persons (id, name, title, admin_unit_code, synthetic) SELECT id, role || '-' || unit, role, unit, true FROM staff`,
  );
  await q(`CREATE TEMP TABLE target_staff AS
           SELECT 'zone' AS ttype, z.id::text AS tid, z.admin_unit_code AS unit, r.role, gen_random_uuid() AS id
           FROM risk_zones z CROSS JOIN unnest(ARRAY['admin','monitor','patrol','technical']) r(role)
           UNION ALL
           SELECT 'object', o.id::text, o.admin_unit_code, r.role, gen_random_uuid()
           FROM protected_objects o CROSS JOIN unnest(ARRAY['admin','technical','patrol','sector_supervisor']) r(role)`);
  await q(
    `INSERT INTO persons (id, name, title, admin_unit_code, synthetic) SELECT id, role || '-' || tid, role, unit, true FROM target_staff`,
  );
  await q(`INSERT INTO contact_methods (person_id, channel, address)
           SELECT id, c, '139' || lpad((row_number() OVER ())::text, 8, '0') FROM persons, unnest(ARRAY['sms']) c`);
  await q(`INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id, backup_person_id, valid_from, published_at)
           SELECT s.id, 'flood', s.role, 'unit', s.unit, NULL, '2024-01-01', now() FROM staff s WHERE s.role <> 'deputy'`);
  await q(`INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id, backup_person_id, valid_from, published_at)
           SELECT t.id, 'flood', t.role, t.ttype, t.tid, (SELECT id FROM staff WHERE unit = t.unit AND role = 'admin'), '2024-01-01', now()
           FROM target_staff t`);
  await q(`INSERT INTO contracting_assignments (leader_person_id, admin_unit_code, level)
           SELECT s.id, u.code, CASE u.level WHEN 'town' THEN 'county_town' ELSE 'town_village' END
           FROM admin_units u JOIN staff s ON s.unit = u.parent_code AND s.role = 'deputy' WHERE u.level IN ('town', 'village')`);
  await q(`INSERT INTO special_residents (label, group_type, admin_unit_code, risk_zone_id, caller_person_id, synthetic)
           SELECT '独居老人 ' || z.code, 'elderly_alone', z.admin_unit_code, z.id, s.id, true
           FROM risk_zones z JOIN staff s ON s.unit = z.admin_unit_code AND s.role = 'grid_worker' WHERE z.code LIKE '%-10'`);
  await q('ANALYZE');
  const [counts] = await ds.query<Array<Record<string, number>>>(`SELECT
    (SELECT count(*) FROM risk_zones)::int AS zones, (SELECT count(*) FROM protected_objects)::int AS objects,
    (SELECT count(*) FROM persons)::int AS persons, (SELECT count(*) FROM responsibility_assignments)::int AS assignments,
    (SELECT count(*) FROM contracting_assignments)::int AS contracting, (SELECT count(*) FROM special_residents)::int AS residents`);
  return counts;
}

async function timed<T>(
  runs: number,
  fn: () => Promise<T>,
): Promise<{ p50: number; min: number; max: number; last: T }> {
  await fn(); // warm-up: plans and caches
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], last };
}

async function main(): Promise<void> {
  const started = performance.now();
  const ds = await scratchDatabase();
  const counts = await generate(ds);
  console.log(`data: ${JSON.stringify(counts)} (generated in ${((performance.now() - started) / 1000).toFixed(1)} s)`);

  const specs = loadResponseSpecs(
    process.env.RESPONSE_SPEC_FILE ?? join(process.cwd(), 'config/response-specs.default.json'),
  );
  const areas = new AreaMatcher();
  const resolver = new RecipientResolver();
  const area: MatchArea = { polygons: [COUNTY_WKT], circles: [], codes: [] };
  const tables = resolveSpec(specs, 'rainstorm', 1, [], 1);

  const bare = await timed(
    RUNS,
    async () =>
      (
        await ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM risk_zones WHERE ST_Intersects(geom, ST_GeomFromText($1, 4326))`,
          [COUNTY_WKT],
        )
      )[0].n,
  );
  const zonesOnly = await timed(
    RUNS,
    async () => (await areas.matchArea(ds.manager, area, tables.zoneKinds, tables.objectTypes)).zones.length,
  );
  const full = await timed(RUNS, () =>
    ds.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      const match = await areas.matchArea(tx, area, tables.zoneKinds, tables.objectTypes);
      const spec = resolveSpec(specs, 'rainstorm', 1, match.unitCodes, 1);
      const people = await resolver.resolve(tx, match, spec, new Date().toISOString().slice(0, 10));
      return {
        zones: match.zones.length,
        objects: match.objects.length,
        units: match.unitCodes.length,
        people: people.length,
        reasons: people.reduce((s, p) => s + p.reasons.length, 0),
      };
    }),
  );
  // The duty officer's preview of the same area as a draft: the same match and resolution, plus every person's
  // name, place and contact for the page, in a read-only transaction.
  const previews = new WarningPreviewService(
    ds,
    areas,
    resolver,
    new ResponseSpecStore(ds, new ResponseSpecsRepository(), specs),
    {
      timers: { scale: 1 },
    } as AppConfig,
  );
  const ring = [
    [106, 29],
    [107, 29],
    [107, 30],
    [106, 30],
    [106, 29],
  ];
  const preview = await timed(RUNS, async () => {
    const p = await previews.preview({ hazardType: 'rainstorm', level: 1, area: { polygons: [ring] } });
    return { people: p.counts.total, unreachable: p.counts.unreachable, json: p };
  });
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `bare PostGIS  zones ∩ area (${bare.last} zones):            p50 ${ms(bare.p50)}  (min ${ms(bare.min)}, max ${ms(bare.max)})`,
  );
  console.log(
    `area matcher  zones+objects+units (${zonesOnly.last} zones of the hazard): p50 ${ms(zonesOnly.p50)}  ratio ${(zonesOnly.p50 / bare.p50).toFixed(1)}×`,
  );
  console.log(
    `full matching area → people with reasons and escalation paths: p50 ${ms(full.p50)}  (min ${ms(full.min)}, max ${ms(full.max)})  ratio ${(full.p50 / bare.p50).toFixed(1)}×`,
  );
  console.log(`              ${JSON.stringify(full.last)}`);
  const { json, ...previewCounts } = preview.last;
  console.log(
    `preview of the same area as a draft (names, places, contacts): p50 ${ms(preview.p50)}  (min ${ms(preview.min)}, max ${ms(preview.max)})  ratio ${(preview.p50 / bare.p50).toFixed(1)}×  ${JSON.stringify(previewCounts)}, ${(Buffer.byteLength(JSON.stringify(json)) / 2 ** 20).toFixed(1)} MiB as JSON`,
  );
  console.log(`runs: ${RUNS} after one warm-up; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await ds.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
