import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { UPPER_DIVISIONS } from './division-tree';
import {
  planProvinceZones,
  PROVINCE_CITY,
  PROVINCE_PREFIX,
  provinceSize,
  ProvinceSize,
  provinceTree,
} from './province-plan';
import { writeProvinceRoster } from './province-roster';
import { DemoSeedError } from './seed-demo';
import { insertRiskZones, partitionChildren } from './synthetic-geometry';
import { CONTACTS, GEO, ROSTER } from './owners';

export interface ProvinceCounts {
  counties: number;
  towns: number;
  villages: number;
  /** Units of any level without an outline (should be 0). */
  unitsWithoutOutline: number;
  riskZones: number;
  persons: number;
  /** Persons without an SMS contact (should be 0). */
  personsWithoutContact: number;
  contactMethods: number;
  responsibilityAssignments: number;
  contractingAssignments: number;
}

export interface ProvinceSummary {
  action: 'seeded' | 'existing';
  size: ProvinceSize;
  counts: ProvinceCounts;
  countyCodes: string[];
  /** Milliseconds per step: outlines, zones, roster, analyze. */
  steps: Record<string, number>;
  elapsedMs: number;
}

/**
 * The synthetic province's box: Chongqing's extent in WGS84, drawn as a rectangle. Counties, towns and villages
 * are Voronoi cells inside it, as the demo's towns and villages are inside their real county outlines.
 */
const PROVINCE_BOX: [number, number, number, number] = [105.29, 28.16, 110.19, 32.2];
const LOCK_KEY = 0x6a7965; // serialises concurrent province seeders (the demo's lock is 0x6a7964)

/**
 * Loads a synthetic province (codes 5098…, under 重庆市) in one transaction: outlines, zones, roster. Sizes
 * default to Chongqing's (38 counties, 1,000 towns, 11,000 villages, 200,000 persons). Without `force` a loaded
 * province is left as is; with it, the province's rows are deleted first (refused once calls reference them).
 */
export async function seedProvince(
  ds: DataSource,
  opts: { size?: Partial<ProvinceSize>; force?: boolean } = {},
): Promise<ProvinceSummary> {
  const started = performance.now();
  const size = provinceSize(opts.size);
  const steps: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    steps[name] = Math.round(performance.now() - t0);
  };
  const action = await ds.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await m.query('SET LOCAL jit = off');
    const loaded = (await m.query<unknown[]>('SELECT 1 FROM admin_units WHERE code = $1', [PROVINCE_CITY])).length > 0;
    if (loaded && !opts.force) {
      return 'existing' as const;
    }
    if (loaded) {
      await step('delete', () => deleteProvince(m));
    }
    const tree = provinceTree(size);
    await step('outlines', () => writeUnits(m, tree));
    await step('zones', () => insertRiskZones(m, planProvinceZones(tree, size.zonesPerVillage)));
    await step('roster', () => writeProvinceRoster(m, size));
    return 'seeded' as const;
  });
  if (action === 'seeded') {
    await step('analyze', () =>
      ds.query(
        'ANALYZE admin_units, risk_zones, persons, contact_methods, responsibility_assignments, contracting_assignments',
      ),
    );
  }
  const counts = await countProvince(ds.manager);
  const countyCodes = (
    await ds.query<Array<{ code: string }>>(
      `SELECT code FROM admin_units WHERE level = 'county' AND code LIKE '${PROVINCE_PREFIX}%' ORDER BY code`,
    )
  ).map((r) => r.code);
  return { action, size, counts, countyCodes, steps, elapsedMs: Math.round(performance.now() - started) };
}

async function writeUnits(m: EntityManager, tree: ReturnType<typeof provinceTree>): Promise<void> {
  await GEO.addUnits(m, [UPPER_DIVISIONS[0]]);
  await GEO.insertSyntheticUnits(
    m,
    tree.all.filter((d) => d.code.startsWith(PROVINCE_PREFIX)),
    { code: PROVINCE_CITY, box: PROVINCE_BOX },
  );
  // Counties inside the box, towns inside counties, villages inside towns (the demo's Voronoi partition).
  const counties = tree.childrenOf(PROVINCE_CITY).map((c) => c.code);
  await partitionChildren(m, tree, [PROVINCE_CITY]);
  await partitionChildren(m, tree, counties);
  await partitionChildren(
    m,
    tree,
    counties.flatMap((c) => tree.childrenOf(c).map((t) => t.code)),
  );
}

const PROVINCE_PERSONS = `SELECT id FROM persons WHERE admin_unit_code LIKE '${PROVINCE_PREFIX}%'`;

/** Deletes the province's rows; refused once call tasks or answers point at its persons (the event record). */
export async function deleteProvince(m: EntityManager): Promise<void> {
  const [used] = await m.query<Array<{ used: boolean }>>(
    `SELECT EXISTS (SELECT 1 FROM call_tasks WHERE person_id IN (${PROVINCE_PERSONS}))
         OR EXISTS (SELECT 1 FROM acknowledgements WHERE person_id IN (${PROVINCE_PERSONS})) AS used`,
  );
  if (used.used) {
    throw new DemoSeedError(
      'province reload refused: call tasks already reference its persons; seed a fresh database instead',
    );
  }
  const area = { patterns: [`${PROVINCE_PREFIX}%`], syntheticOnly: false };
  // Each deleted person is checked against the 18 foreign keys that point at persons. The apps' connections plan
  // every such check anew (plan_cache_mode=force_custom_plan, see dataSourceOptions), about 1.1 ms a person here;
  // with the cached plan, for this transaction only, 0.24 ms (4 counties: 21,053 persons in 5.1 s against 24 s).
  await m.query('SET LOCAL plan_cache_mode = auto');
  await CONTACTS.deleteOfPeople(m, area);
  await ROSTER.deletePeople(m, area);
  await GEO.deleteZonesAndObjects(m, area);
  await GEO.deleteUnitsUnder(m, PROVINCE_PREFIX, ['village', 'town', 'county', 'city']);
}

/** The province's rows as they are in the database. */
export async function countProvince(m: EntityManager): Promise<ProvinceCounts> {
  const like = `LIKE '${PROVINCE_PREFIX}%'`;
  const [row] = await m.query<ProvinceCounts[]>(
    `WITH p AS (${PROVINCE_PERSONS})
     SELECT
       (SELECT count(*) FROM admin_units WHERE code ${like} AND level = 'county')::int AS counties,
       (SELECT count(*) FROM admin_units WHERE code ${like} AND level = 'town')::int AS towns,
       (SELECT count(*) FROM admin_units WHERE code ${like} AND level = 'village')::int AS villages,
       (SELECT count(*) FROM admin_units WHERE code ${like} AND (geom IS NULL OR ST_IsEmpty(geom)))::int AS "unitsWithoutOutline",
       (SELECT count(*) FROM risk_zones WHERE admin_unit_code ${like})::int AS "riskZones",
       (SELECT count(*) FROM p)::int AS persons,
       (SELECT count(*) FROM p WHERE NOT EXISTS (
          SELECT 1 FROM contact_methods c WHERE c.person_id = p.id AND c.channel = 'sms' AND c.invalid_at IS NULL))::int
         AS "personsWithoutContact",
       (SELECT count(*) FROM contact_methods WHERE person_id IN (SELECT id FROM p))::int AS "contactMethods",
       (SELECT count(*) FROM responsibility_assignments WHERE person_id IN (SELECT id FROM p))::int AS "responsibilityAssignments",
       (SELECT count(*) FROM contracting_assignments WHERE leader_person_id IN (SELECT id FROM p))::int AS "contractingAssignments"`,
  );
  return row;
}
