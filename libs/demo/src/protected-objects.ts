import { demoId, Prng, seedOf } from './deterministic-id';
import { Division, DivisionTree, isCommunity, townKind } from './division-tree';
import { PLACE_NAMES } from './names';
import { SHIZHI_TOWN } from './risk-zones';

// SYNTHETIC: every protected object is invented (names, attributes, locations); only the villages are real.

export type ObjectType = 'reservoir' | 'hydropower' | 'school' | 'mine' | 'scenic_spot' | 'construction_site';

/** Sector of the object's 三个责任人 and the code prefix. */
export const OBJECT_TYPES: Record<ObjectType, { sector: string; prefix: string }> = {
  reservoir: { sector: 'flood', prefix: 'RES' },
  hydropower: { sector: 'flood', prefix: 'HYD' },
  school: { sector: 'education', prefix: 'SCH' },
  mine: { sector: 'mine', prefix: 'MIN' },
  scenic_spot: { sector: 'tourism', prefix: 'SCN' },
  construction_site: { sector: 'construction', prefix: 'CON' },
};

export interface ObjectPlan {
  id: string;
  code: string;
  name: string;
  type: ObjectType;
  sector: string;
  villageCode: string;
  townCode: string;
  attrs: Record<string, unknown>;
  seed: number;
}

/** Per county: how many of each type. */
const PER_COUNTY: Array<[ObjectType, number]> = [
  ['reservoir', 3],
  ['hydropower', 2],
  ['school', 3],
  ['mine', 1],
  ['scenic_spot', 1],
  ['construction_site', 1],
];

function townShort(town: Division): string {
  return town.name.replace(/(街道|镇|乡)$/, '');
}

function villageBase(village: Division): string {
  return village.name.replace(/(村民委员会|社区居民委员会)$/, '');
}

function reservoirAttrs(rng: Prng): Record<string, unknown> {
  const normal = rng.int(280, 720) + rng.int(0, 9) / 10;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const capacity = rng.int(12, 900);
  return {
    scale: capacity >= 100 ? '小（1）型' : '小（2）型',
    totalCapacityWanM3: capacity,
    damHeightM: rng.int(12, 35),
    normalPoolLevelM: r1(normal),
    floodLimitLevelM: r1(normal - 1 - rng.int(0, 10) / 10), // 汛限水位
    designFloodLevelM: r1(normal + 1.2),
    checkFloodLevelM: r1(normal + 1.9),
    damCrestElevationM: r1(normal + 2.6),
    spillway: rng.pick(['开敞式溢洪道', '侧槽式溢洪道']),
  };
}

function draftName(type: ObjectType, town: Division, village: Division, rng: Prng, n: number): string {
  const base = villageBase(village);
  switch (type) {
    case 'reservoir':
      return `${base}水库`;
    case 'hydropower':
      return `${base}${rng.pick(['一级', '二级', ''])}水电站`;
    case 'school':
      return n % 2 === 1 ? `${townShort(town)}中心小学校` : `${townShort(town)}初级中学校`;
    case 'mine':
      return `${base}${rng.pick(PLACE_NAMES)}石灰岩矿`;
    case 'scenic_spot':
      return `${base}${rng.pick(PLACE_NAMES)}生态旅游景区`;
    case 'construction_site':
      return `${townShort(town)}场镇防洪护岸综合整治工程`;
  }
}

function attrsFor(type: ObjectType, rng: Prng): Record<string, unknown> {
  switch (type) {
    case 'reservoir':
      return reservoirAttrs(rng);
    case 'hydropower':
      return { installedKw: rng.pick([400, 630, 800, 1260, 2000]), layout: rng.pick(['引水式', '坝后式']) };
    case 'school':
      return { students: rng.int(180, 1400), boarding: rng.next() < 0.5 };
    case 'mine':
      return { mineral: '石灰岩', mining: '露天开采', scale: '小型' };
    case 'scenic_spot':
      return { grade: rng.pick(['AA', 'AAA']), peakDailyVisitors: rng.int(800, 6000) };
    case 'construction_site':
      return { contractor: '（虚构）重庆某建设工程有限公司', hasCamp: true };
  }
}

/** Plans the objects of every county, plus the S1 small hydropower station in 十直镇 汀溪村. */
export function planProtectedObjects(tree: DivisionTree): ObjectPlan[] {
  const plans: ObjectPlan[] = [];
  for (const county of tree.ofLevel('county')) {
    const rng = new Prng(`objects:${county.code}`);
    const towns = tree.childrenOf(county.code);
    const ruralTowns = towns.filter((t) => townKind(t.name) !== 'street' && t.code !== SHIZHI_TOWN);
    const usedNames = new Set<string>();
    for (const [type, count] of PER_COUNTY) {
      const meta = OBJECT_TYPES[type];
      for (let n = 1; n <= count; n++) {
        let town: Division;
        let village: Division;
        let name: string;
        do {
          town = rng.pick(type === 'school' ? towns : ruralTowns);
          const villages = tree.childrenOf(town.code);
          const rural = villages.filter((v) => !isCommunity(v.name));
          village = type === 'school' ? villages[0] : rng.pick(rural.length > 0 ? rural : villages);
          name = draftName(type, town, village, rng, n);
        } while (usedNames.has(name));
        usedNames.add(name);
        const code = `${meta.prefix}-${county.code}-${String(n).padStart(2, '0')}`;
        plans.push({
          id: demoId(`object:${code}`),
          code,
          name,
          type,
          sector: meta.sector,
          villageCode: village.code,
          townCode: town.code,
          attrs: { ...attrsFor(type, rng), synthetic: true },
          seed: seedOf(`object-geom:${code}`),
        });
      }
    }
  }
  const code = `HYD-${SHIZHI_TOWN}-01`;
  plans.push({
    id: demoId(`object:${code}`),
    code,
    name: '汀溪河一级水电站',
    type: 'hydropower',
    sector: 'flood',
    villageCode: `${SHIZHI_TOWN}200`,
    townCode: SHIZHI_TOWN,
    attrs: { installedKw: 1260, layout: '引水式', river: '汀溪河（虚构）', synthetic: true },
    seed: seedOf(`object-geom:${code}`),
  });
  return plans;
}
