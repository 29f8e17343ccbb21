import { demoId, Prng, seedOf } from './deterministic-id';
import { Division, DivisionTree } from './division-tree';
import { PLACE_NAMES } from './names';
import { shapeFor, ZONE_KINDS, ZoneKindCode, ZonePlan } from './risk-zones';

// SYNTHETIC province for load tests: every unit, zone and person is invented. Codes live under the
// unused prefix 5098 (a 合成市 under 重庆市), so a province loads beside the demo's real counties.

export const PROVINCE_CITY = '509800';
export const PROVINCE_PREFIX = '5098';

/** Sizes of the generated province; the defaults are Chongqing's (a city of 38 counties, ≈200,000 responsible persons). */
export interface ProvinceSize {
  counties: number;
  towns: number;
  villages: number;
  persons: number;
  zonesPerVillage: number;
}

export const CHONGQING_SIZE: ProvinceSize = {
  counties: 38,
  towns: 1_000,
  villages: 11_000,
  persons: 200_000,
  zonesPerVillage: 2,
};

/** Staff per county and per town (province-roster.ts); per village 2, per zone 2; grid workers fill the rest. */
export const COUNTY_STAFF = 7;
export const TOWN_STAFF = 7;
export const VILLAGE_STAFF = 2;
export const ZONE_STAFF = 2;

/** Fills the sizes not given in proportion to the counties (Chongqing's ratios), then checks them. */
export function provinceSize(given: Partial<ProvinceSize> = {}): ProvinceSize {
  const counties = given.counties ?? CHONGQING_SIZE.counties;
  const scale = (n: number) => Math.round((n * counties) / CHONGQING_SIZE.counties);
  const size: ProvinceSize = {
    counties,
    towns: given.towns ?? scale(CHONGQING_SIZE.towns),
    villages: given.villages ?? scale(CHONGQING_SIZE.villages),
    persons: given.persons ?? scale(CHONGQING_SIZE.persons),
    zonesPerVillage: given.zonesPerVillage ?? CHONGQING_SIZE.zonesPerVillage,
  };
  const problems = [
    !isCount(size.counties, 1, 99) && 'counties must be 1–99',
    !isCount(size.towns, size.counties, size.counties * 999) && 'towns must be at least one and at most 999 per county',
    !isCount(size.villages, size.towns, size.towns * 599) && 'villages must be at least one and at most 599 per town',
    !isCount(size.zonesPerVillage, 0, 20) && 'zonesPerVillage must be 0–20',
    !isCount(size.persons, fixedStaff(size) + size.villages, 99_999_999) &&
      `persons must be at least ${fixedStaff(size) + size.villages} for these units (one grid worker per village)`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new RangeError(`province size: ${problems.join('; ')}`);
  }
  return size;
}

const isCount = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** Persons in fixed posts (everyone but the grid workers). */
export function fixedStaff(s: ProvinceSize): number {
  return (
    s.counties * COUNTY_STAFF + s.towns * TOWN_STAFF + s.villages * (VILLAGE_STAFF + ZONE_STAFF * s.zonesPerVillage)
  );
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const place = (i: number) =>
  `${PLACE_NAMES[i % PLACE_NAMES.length]}${i >= PLACE_NAMES.length ? Math.floor(i / PLACE_NAMES.length) + 1 : ''}`;

/**
 * The 合成市, its counties, towns and villages. Town t (0-based) belongs to county t mod counties and village v to
 * town v mod towns, so the sizes spread evenly; codes follow the official 6/9/12-digit structure.
 */
export function provinceTree(size: ProvinceSize): DivisionTree {
  const rows: Division[] = [
    { code: PROVINCE_CITY, name: '合成市（省级规模模拟）', parentCode: '500000', level: 'city' },
  ];
  const counties: Division[] = [];
  for (let c = 1; c <= size.counties; c++) {
    counties.push({
      code: `${PROVINCE_PREFIX}${pad(c, 2)}`,
      name: `合成${pad(c, 2)}县`,
      parentCode: PROVINCE_CITY,
      level: 'county',
    });
  }
  const towns: Division[] = [];
  for (let t = 0; t < size.towns; t++) {
    const local = Math.floor(t / size.counties);
    const county = counties[t % size.counties];
    towns.push({
      code: `${county.code}${pad(local + 1, 3)}`,
      name: `${place(local)}镇`,
      parentCode: county.code,
      level: 'town',
    });
  }
  const villages: Division[] = [];
  for (let v = 0; v < size.villages; v++) {
    const local = Math.floor(v / size.towns);
    const town = towns[v % size.towns];
    villages.push({
      code: `${town.code}${200 + local}`,
      name: `${place(local + 7)}村村民委员会`,
      parentCode: town.code,
      level: 'village',
    });
  }
  return new DivisionTree([...rows, ...counties, ...towns, ...villages]);
}

/** Flash-flood zones, hazard points, risk areas and waterlogging points in turn: what a red rainstorm matches. */
const ZONE_CYCLE: ZoneKindCode[] = ['FF', 'GH', 'RA', 'WL'];
const ZONE_NAMES: Record<ZoneKindCode, (village: string, rng: Prng) => string> = {
  FF: (v, rng) => `${v}${rng.int(1, 8)}组山洪危险区`,
  GH: (v, rng) => `${v}${rng.pick(PLACE_NAMES)}滑坡隐患点`,
  RA: (v, rng) => `${v}${rng.pick(PLACE_NAMES)}地质灾害高风险区`,
  WL: (v, rng) => `${v}${rng.pick(PLACE_NAMES)}易涝点`,
  FA: (v, rng) => `${v}${rng.pick(PLACE_NAMES)}重点林区`,
};

/** zonesPerVillage zones in every village, shaped like the demo's (strips, discs, blobs); codes FF-<village>-01. */
export function planProvinceZones(tree: DivisionTree, zonesPerVillage: number): ZonePlan[] {
  const plans: ZonePlan[] = [];
  for (const [i, village] of tree.ofLevel('village').entries()) {
    const rng = new Prng(`province-zones:${village.code}`);
    const short = village.name.replace(/村民委员会$/, '');
    for (let k = 0; k < zonesPerVillage; k++) {
      const kindCode = ZONE_CYCLE[(i + k) % ZONE_CYCLE.length];
      const code = `${kindCode}-${village.code}-${pad(k + 1, 2)}`;
      const households = rng.int(3, 30);
      plans.push({
        id: demoId(`zone:${code}`),
        code,
        name: ZONE_NAMES[kindCode](short, rng),
        kindCode,
        ...ZONE_KINDS[kindCode],
        riskGrade: rng.next() < 0.3 ? 'very_high' : 'high',
        villageCode: village.code,
        townCode: village.parentCode as string,
        households,
        persons: Math.round(households * (2.6 + rng.next() * 0.8)),
        shape: shapeFor(kindCode, rng),
        seed: seedOf(`zone-geom:${code}`),
      });
    }
  }
  return plans;
}
