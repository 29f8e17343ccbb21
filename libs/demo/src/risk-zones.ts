import { demoId, Prng, seedOf } from './deterministic-id';
import { Division, DivisionTree, isCommunity, townKind, villageShortName } from './division-tree';
import { FOREST_NAMES, PLACE_NAMES, STREET_NAMES } from './names';

// SYNTHETIC: every risk zone here is invented (names, places, counts, shapes). Only the villages are real.

export type ZoneKindCode = 'FF' | 'GH' | 'RA' | 'WL' | 'FA';

export const ZONE_KINDS: Record<ZoneKindCode, { kind: string; hazardType: string; sector: string }> = {
  FF: { kind: 'flash_flood_danger_zone', hazardType: 'flash_flood', sector: 'flood' },
  GH: { kind: 'hazard_point', hazardType: 'geo_hazard', sector: 'geo_hazard' },
  RA: { kind: 'risk_area', hazardType: 'geo_hazard', sector: 'geo_hazard' },
  WL: { kind: 'waterlogging_point', hazardType: 'rainstorm', sector: 'flood' },
  FA: { kind: 'forest_area', hazardType: 'forest_fire', sector: 'forest_fire' },
};

/** How the polygon is drawn around a seeded point inside the village (then clipped to the village). */
export type ZoneShape =
  | { type: 'strip'; lengthM: number; widthM: number; azimuthDeg: number } // a gully / low-lying street
  | { type: 'disc'; radiusM: number } // a hazard point or waterlogging spot
  | { type: 'blob'; radiusM: number; points: number }; // union of discs: risk area, forest

export interface ZonePlan {
  id: string;
  code: string;
  name: string;
  kindCode: ZoneKindCode;
  kind: string;
  hazardType: string;
  sector: string;
  riskGrade: string;
  villageCode: string;
  townCode: string;
  households: number;
  persons: number;
  shape: ZoneShape;
  /** Seed for ST_GeneratePoints. */
  seed: number;
}

export const SHIZHI_TOWN = '500230107';

interface ZoneDraft {
  kindCode: ZoneKindCode;
  village: Division;
  name: string;
  riskGrade: string;
  households: number;
  persons?: number;
}

export function shapeFor(kindCode: ZoneKindCode, rng: Prng): ZoneShape {
  switch (kindCode) {
    case 'FF':
      return { type: 'strip', lengthM: rng.int(500, 1200), widthM: rng.int(60, 120), azimuthDeg: rng.int(0, 359) };
    case 'GH':
      return { type: 'disc', radiusM: rng.int(60, 100) };
    case 'WL':
      return { type: 'disc', radiusM: rng.int(40, 70) };
    case 'RA':
      return { type: 'blob', radiusM: rng.int(150, 250), points: 3 };
    case 'FA':
      return { type: 'blob', radiusM: rng.int(500, 900), points: 4 };
  }
}

/** Persons per household in rural Chongqing (many young people work away): ~2.6–3.4. */
function personsFor(households: number, rng: Prng): number {
  return Math.round(households * (2.6 + rng.next() * 0.8));
}

/** The red-rainstorm scenario's town (十直镇): FF-01..03, GH-01 landslide above 汀溪村5组, GH-02 危岩 above a county road. */
function shizhiDrafts(tree: DivisionTree): ZoneDraft[] {
  const v = (code: string) => tree.get(`${SHIZHI_TOWN}${code}`);
  return [
    {
      kindCode: 'FF',
      village: v('200'),
      name: '汀溪村3组、4组山洪危险区',
      riskGrade: 'very_high',
      households: 18,
      persons: 57,
    },
    { kindCode: 'FF', village: v('201'), name: '寨上村1组山洪危险区', riskGrade: 'high', households: 11, persons: 34 },
    {
      kindCode: 'FF',
      village: v('001'),
      name: '十直场镇老街低洼地带山洪危险区',
      riskGrade: 'high',
      households: 23,
      persons: 71,
    },
    {
      kindCode: 'GH',
      village: v('200'),
      name: '汀溪村5组大湾滑坡隐患点',
      riskGrade: 'high',
      households: 6,
      persons: 19,
    },
    {
      kindCode: 'GH',
      village: v('203'),
      name: '新屋村岩口危岩隐患点（县道上方）',
      riskGrade: 'high',
      households: 2,
      persons: 5,
    },
    { kindCode: 'RA', village: v('202'), name: '河梁村老屋基地质灾害高风险区', riskGrade: 'high', households: 14 },
    { kindCode: 'FA', village: v('216'), name: '红庙子村松林坡重点林区', riskGrade: 'high', households: 4 },
  ];
}

function townDrafts(town: Division, villages: Division[], rng: Prng): ZoneDraft[] {
  const rural = villages.filter((v) => !isCommunity(v.name));
  const communities = villages.filter((v) => isCommunity(v.name));
  const ruralOrAny = rural.length > 0 ? rural : villages;
  const group = () => rng.int(1, 8);
  const drafts: ZoneDraft[] = [];
  const add = (kindCode: ZoneKindCode, village: Division, name: string, riskGrade: string, households: number) =>
    drafts.push({ kindCode, village, name, riskGrade, households });
  const short = (v: Division) => villageShortName(v.name);

  if (townKind(town.name) === 'street') {
    const townShort = town.name.replace(/街道$/, '');
    const streets = rng.sample(STREET_NAMES, 2);
    for (const [i, v] of rng.sample(communities.length > 0 ? communities : villages, 2).entries()) {
      add('WL', v, `${townShort}${streets[i]}下穿道易涝点`, 'medium', rng.int(3, 15));
    }
    const gh = rng.pick(ruralOrAny);
    add('GH', gh, `${short(gh)}${rng.pick(PLACE_NAMES)}滑坡隐患点`, 'high', rng.int(2, 10));
    if (rural.length > 0 && rng.next() < 0.6) {
      const v = rng.pick(rural);
      add('FF', v, `${short(v)}${group()}组山洪危险区`, 'high', rng.int(8, 25));
    }
  } else {
    const ffVillages = rng.sample(ruralOrAny, rng.int(2, 3));
    for (const v of ffVillages) {
      const g = group();
      const name = rng.next() < 0.4 ? `${short(v)}${g}组、${g + 1}组山洪危险区` : `${short(v)}${g}组山洪危险区`;
      add('FF', v, name, rng.next() < 0.3 ? 'very_high' : 'high', rng.int(8, 40));
    }
    for (const v of rng.sample(ruralOrAny, rng.int(1, 2))) {
      const type = rng.next() < 0.7 ? '滑坡' : '危岩';
      const name = `${short(v)}${group()}组${rng.pick(PLACE_NAMES)}${type}隐患点`;
      add('GH', v, name, rng.pick(['high', 'medium', 'very_high']), rng.int(2, 12));
    }
    const ra = rng.pick(ruralOrAny);
    const veryHigh = rng.next() < 0.3;
    const raName = `${short(ra)}${rng.pick(PLACE_NAMES)}地质灾害${veryHigh ? '极高' : '高'}风险区`;
    add('RA', ra, raName, veryHigh ? 'very_high' : 'high', rng.int(10, 60));
    const fa = rng.pick(ruralOrAny);
    add('FA', fa, `${short(fa)}${rng.pick(FOREST_NAMES)}重点林区`, 'high', rng.int(0, 8));
  }
  return drafts;
}

/** Plans every demo risk zone, per town in code order; codes like FF-500230107-01. */
export function planRiskZones(tree: DivisionTree): ZonePlan[] {
  const plans: ZonePlan[] = [];
  for (const town of tree.ofLevel('town')) {
    const rng = new Prng(`zones:${town.code}`);
    const villages = tree.childrenOf(town.code);
    const drafts = town.code === SHIZHI_TOWN ? shizhiDrafts(tree) : townDrafts(town, villages, rng);
    const counters = new Map<ZoneKindCode, number>();
    for (const d of drafts) {
      const n = (counters.get(d.kindCode) ?? 0) + 1;
      counters.set(d.kindCode, n);
      const code = `${d.kindCode}-${town.code}-${String(n).padStart(2, '0')}`;
      const meta = ZONE_KINDS[d.kindCode];
      plans.push({
        id: demoId(`zone:${code}`),
        code,
        name: d.name,
        kindCode: d.kindCode,
        kind: meta.kind,
        hazardType: meta.hazardType,
        sector: meta.sector,
        riskGrade: d.riskGrade,
        villageCode: d.village.code,
        townCode: town.code,
        households: d.households,
        persons: d.persons ?? personsFor(d.households, rng),
        shape: shapeFor(d.kindCode, rng),
        seed: seedOf(`zone-geom:${code}`),
      });
    }
  }
  return plans;
}
