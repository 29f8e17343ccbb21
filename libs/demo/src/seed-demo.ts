import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { DivisionTree, UPPER_DIVISIONS } from './division-tree';
import { countyOutlineWgs84 } from './outlines';
import { ObjectPlan, planProtectedObjects } from './protected-objects';
import { insertPublicWarningTargets, planPublicWarningTargets, PublicWarningTargets } from './public-warning-targets';
import { planRiskZones, SHIZHI_TOWN, ZonePlan } from './risk-zones';
import { buildRoster, Roster, RosterNames } from './roster';
import { seedDemoStations } from './stations';
import { insertRiskZones, partitionChildren } from './synthetic-geometry';
import { CONTACTS, GEO, ROSTER } from './owners';

export interface DemoCounts {
  adminUnits: number;
  riskZones: number;
  protectedObjects: number;
  persons: number;
  contactMethods: number;
  responsibilityAssignments: number;
  contractingAssignments: number;
  specialResidents: number;
  residentPhones: number;
  loudspeakers: number;
  shelters: number;
  /** Hydrological, reservoir and rain stations (their readings raise sensor warnings). */
  stations: number;
}

export interface DemoSummary {
  /** 'seeded' when this call wrote the data, 'existing' when it was already loaded and left alone. */
  action: 'seeded' | 'existing';
  /** Rows of the demo in each table (what is in the database, not what was planned). */
  counts: DemoCounts;
  countyCodes: string[];
  counties: RosterNames['counties'];
  /** 十直镇 (S1) and its 汀溪村, with the ids a test needs to follow the 包干 / backup chains. */
  shizhi: RosterNames['shizhi'] & {
    townName: string;
    villageName: string;
    flashFloodZoneIds: string[];
    hazardPointZoneIds: string[];
    hydropowerObjectId: string;
  };
  personsWithoutUsableContact: string[];
  expiredAssignmentIds: string[];
  elapsedMs: number;
}

export class DemoSeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoSeedError';
  }
}

export interface DemoPlan {
  tree: DivisionTree;
  zones: ZonePlan[];
  objects: ObjectPlan[];
  roster: Roster;
  publicTargets: PublicWarningTargets;
}

/** Everything the demo writes, computed in memory (pure, deterministic). */
export function planDemo(): DemoPlan {
  const tree = DivisionTree.load();
  const zones = planRiskZones(tree);
  const objects = planProtectedObjects(tree);
  return {
    tree,
    zones,
    objects,
    roster: buildRoster(tree, zones, objects),
    publicTargets: planPublicWarningTargets(tree, zones),
  };
}

const LOCK_KEY = 0x6a7964; // serialises concurrent seeders
const MARKER_CODE = '500151';

/**
 * Loads the deterministic demo dataset (铜梁区 + 丰都县) in one transaction. Without `force`, an already
 * loaded demo is left as is and summarised; with `force`, the demo's own rows are deleted and reloaded.
 */
export async function seedDemo(ds: DataSource, opts: { force?: boolean } = {}): Promise<DemoSummary> {
  const started = performance.now();
  const plan = planDemo();
  const action = await ds.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    // PostGIS functions carry high cost estimates, which makes the planner JIT-compile every statement
    // (~0.5 s each); none of these queries benefits from it.
    await m.query('SET LOCAL jit = off');
    const loaded = (await m.query<unknown[]>('SELECT 1 FROM admin_units WHERE code = $1', [MARKER_CODE])).length > 0;
    if (loaded && !opts.force) {
      return 'existing' as const;
    }
    if (loaded) {
      await deleteDemo(m, plan.tree);
    }
    await writeDemo(m, plan);
    return 'seeded' as const;
  });
  const counts = await countDemo(ds.manager, plan.tree);
  return summarise(plan, action, counts, Math.round(performance.now() - started));
}

const countyPatterns = (tree: DivisionTree) => tree.ofLevel('county').map((c) => `${c.code}%`);

/** Persons the demo owns: synthetic and sitting in one of its counties. */
const DEMO_PERSONS = `SELECT id FROM persons WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[])`;

/**
 * Deletes only the demo's rows. Call tasks or answers pointing at demo persons cannot be removed by
 * the demo (they belong to the event record), so that case is refused with a clear message.
 */
export async function deleteDemo(m: EntityManager, tree: DivisionTree): Promise<void> {
  const patterns = countyPatterns(tree);
  const [used] = await m.query<Array<{ used: boolean }>>(
    `SELECT EXISTS (SELECT 1 FROM call_tasks WHERE person_id IN (${DEMO_PERSONS}))
         OR EXISTS (SELECT 1 FROM acknowledgements WHERE person_id IN (${DEMO_PERSONS})) AS used`,
    [patterns],
  );
  if (used.used) {
    throw new DemoSeedError(
      'demo reload refused: warnings/call tasks already reference demo persons, so the demo rows cannot be deleted; ' +
        'seed a fresh database instead (or empty it first)',
    );
  }
  if (await holdsOnlyDemoRows(m, tree)) {
    // Same result as the DELETEs below, without ~1.5 s of per-row foreign-key checks on unindexed columns.
    // In a savepoint: should a table added later reference these, TRUNCATE refuses and we fall back.
    await m.query('SAVEPOINT demo_truncate');
    try {
      await m.query(`TRUNCATE ${ROSTER_AND_GEO_TABLES.join(', ')}`);
      await m.query('RELEASE SAVEPOINT demo_truncate');
      return;
    } catch {
      await m.query('ROLLBACK TO SAVEPOINT demo_truncate');
    }
  }
  const area = { patterns, syntheticOnly: true };
  try {
    await GEO.deleteFacilities(m, area);
    await CONTACTS.deleteOfPeople(m, area);
    await ROSTER.deletePeople(m, area);
    await GEO.deleteZonesAndObjects(m, area);
    // The upper rows go only when nothing else hangs under them (cities first, then the province).
    await GEO.deleteUnits(m, tree.ownedCodes, {
      codes: UPPER_DIVISIONS.map((d) => d.code),
      levels: ['city', 'province'],
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23503') {
      throw new DemoSeedError(
        `demo reload refused: rows outside the demo reference demo rows (${(err as Error).message}); ` +
          'seed a fresh database instead',
        { cause: err },
      );
    }
    throw err;
  }
}

/** Every table holding demo rows, plus the (then empty) call tables that reference persons. */
const ROSTER_AND_GEO_TABLES = [
  'station_readings',
  'stations',
  'shelters',
  'broadcast_devices',
  'resident_phones',
  'special_residents',
  'contracting_assignments',
  'responsibility_assignments',
  'contact_methods',
  'persons',
  'protected_objects',
  'risk_zones',
  'admin_units',
  'call_tasks',
  'attempts',
  'acknowledgements',
  'escalations',
];

/** True when no row of those tables belongs to anyone but the demo (checked under a lock that stops writers). */
async function holdsOnlyDemoRows(m: EntityManager, tree: DivisionTree): Promise<boolean> {
  await m.query(`LOCK TABLE ${ROSTER_AND_GEO_TABLES.join(', ')} IN SHARE MODE`);
  const [row] = await m.query<Array<{ only: boolean }>>(
    `SELECT NOT EXISTS (SELECT 1 FROM call_tasks)
        AND NOT EXISTS (SELECT 1 FROM admin_units WHERE NOT (code = ANY ($2::varchar[])))
        AND NOT EXISTS (SELECT 1 FROM persons WHERE NOT (synthetic AND admin_unit_code LIKE ANY ($1::text[])))
        AND NOT EXISTS (SELECT 1 FROM risk_zones WHERE NOT synthetic)
        AND NOT EXISTS (SELECT 1 FROM protected_objects WHERE NOT synthetic)
        AND NOT EXISTS (SELECT 1 FROM special_residents WHERE NOT synthetic)
        AND NOT EXISTS (SELECT 1 FROM shelters WHERE NOT synthetic)
        AND NOT EXISTS (SELECT 1 FROM stations WHERE NOT (synthetic AND admin_unit_code LIKE ANY ($1::text[])))
        AND NOT EXISTS (SELECT 1 FROM broadcast_devices WHERE NOT coalesce(admin_unit_code LIKE ANY ($1::text[]), false))
        AS only`,
    [countyPatterns(tree), [...UPPER_DIVISIONS.map((d) => d.code), ...tree.ownedCodes]],
  );
  return row.only;
}

async function writeDemo(m: EntityManager, plan: DemoPlan): Promise<void> {
  const { tree, zones, objects, roster, publicTargets } = plan;
  const outlines = new Map(tree.ofLevel('county').map((c) => [c.code, JSON.stringify(countyOutlineWgs84(c.code))]));

  // 1. Division tree; county outlines are real (DataV, converted to WGS84), the rest come next.
  await GEO.addUnits(m, UPPER_DIVISIONS);
  await GEO.insertUnitsWithOutlines(
    m,
    tree.ownedCodes.map((code) => ({ ...tree.get(code), outline: outlines.get(code) ?? null })),
  );

  // 2. SYNTHETIC town outlines inside each county, then village outlines inside each town.
  const counties = tree.ofLevel('county').map((c) => c.code);
  await partitionChildren(m, tree, counties);
  await partitionChildren(
    m,
    tree,
    counties.flatMap((c) => tree.childrenOf(c).map((t) => t.code)),
  );

  // 3. Zones and objects (geometry generated inside their village).
  await insertRiskZones(m, zones);
  await GEO.insertSyntheticObjects(m, objects);
  await GEO.addVillageShelters(m);
  await insertPublicWarningTargets(m, publicTargets);
  await seedDemoStations(m);

  // 4. The roster.
  await ROSTER.insertSyntheticPersons(m, roster.persons);
  await CONTACTS.insertMany(m, roster.contacts);
  await ROSTER.insertAssignments(m, roster.assignments);
  await ROSTER.insertContracting(m, roster.contracting);
  await ROSTER.insertSyntheticResidents(m, roster.residents);
}

/** Counts the demo's rows as they are in the database. */
export async function countDemo(m: EntityManager, tree: DivisionTree): Promise<DemoCounts> {
  const [row] = await m.query<DemoCounts[]>(
    `WITH demo_persons AS (${DEMO_PERSONS})
     SELECT
       (SELECT count(*) FROM admin_units WHERE code = ANY ($2::varchar[]))::int AS "adminUnits",
       (SELECT count(*) FROM risk_zones WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[]))::int AS "riskZones",
       (SELECT count(*) FROM protected_objects WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[]))::int
         AS "protectedObjects",
       (SELECT count(*) FROM demo_persons)::int AS "persons",
       (SELECT count(*) FROM contact_methods WHERE person_id IN (SELECT id FROM demo_persons))::int AS "contactMethods",
       (SELECT count(*) FROM responsibility_assignments WHERE person_id IN (SELECT id FROM demo_persons))::int
         AS "responsibilityAssignments",
       (SELECT count(*) FROM contracting_assignments WHERE leader_person_id IN (SELECT id FROM demo_persons))::int
         AS "contractingAssignments",
       (SELECT count(*) FROM special_residents WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[]))::int
         AS "specialResidents",
       (SELECT count(*) FROM resident_phones r JOIN risk_zones z ON z.id = r.risk_zone_id
         WHERE z.synthetic AND z.admin_unit_code LIKE ANY ($1::text[]))::int AS "residentPhones",
       (SELECT count(*) FROM broadcast_devices WHERE admin_unit_code LIKE ANY ($1::text[]))::int AS "loudspeakers",
       (SELECT count(*) FROM shelters WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[]))::int AS "shelters",
       (SELECT count(*) FROM stations WHERE synthetic AND admin_unit_code LIKE ANY ($1::text[]))::int AS "stations"`,
    [countyPatterns(tree), [...UPPER_DIVISIONS.map((d) => d.code), ...tree.ownedCodes]],
  );
  return row;
}

function summarise(plan: DemoPlan, action: DemoSummary['action'], counts: DemoCounts, elapsedMs: number): DemoSummary {
  const { tree, zones, objects, roster } = plan;
  const shizhiZones = zones.filter((z) => z.townCode === SHIZHI_TOWN);
  const hydropower = objects.find((o) => o.type === 'hydropower' && o.townCode === SHIZHI_TOWN);
  return {
    action,
    counts,
    countyCodes: tree.ofLevel('county').map((c) => c.code),
    counties: roster.names.counties,
    shizhi: {
      ...roster.names.shizhi,
      townName: tree.get(SHIZHI_TOWN).name,
      villageName: tree.get(roster.names.shizhi.villageCode).name,
      flashFloodZoneIds: shizhiZones.filter((z) => z.kindCode === 'FF').map((z) => z.id),
      hazardPointZoneIds: shizhiZones.filter((z) => z.kindCode === 'GH').map((z) => z.id),
      hydropowerObjectId: hydropower?.id ?? '',
    },
    personsWithoutUsableContact: roster.names.personsWithoutUsableContact,
    expiredAssignmentIds: roster.names.expiredAssignmentIds,
    elapsedMs,
  };
}
