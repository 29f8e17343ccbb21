import { EntityManager } from 'typeorm';
import { HIGH_RISK_GRADES } from '@app/config';
import { demoId } from './deterministic-id';
import { DivisionTree } from './division-tree';
import { ZonePlan } from './risk-zones';
import { GEO, ROSTER } from './owners';

// SYNTHETIC: what residents' public warnings (高风险区全员发布, 应急广播) reach on the demo district. Every number
// is invented in the 1729… range, apart from the roster's 170/171 numbers.

const PHONES_PER_ZONE = 6;
const KIND_ORDER = ['FF', 'GH', 'RA', 'WL', 'FA'];

export interface ResidentPhoneRow {
  riskZoneId: string;
  phone: string;
  label: string;
}

export interface LoudspeakerRow {
  id: string;
  code: string;
  name: string;
  riskZoneId: string;
  adminUnitCode: string;
}

export interface PublicWarningTargets {
  phones: ResidentPhoneRow[];
  loudspeakers: LoudspeakerRow[];
}

/**
 * Up to six households' phones in every high-risk zone, and one loudspeaker per town in its most exposed zone (a
 * flash-flood zone if it has one, the highest grade first): a red rainstorm over any town warns residents both ways.
 */
export function planPublicWarningTargets(tree: DivisionTree, zones: ZonePlan[]): PublicWarningTargets {
  const high = zones.filter((z) => HIGH_RISK_GRADES.includes(z.riskGrade));
  const phones = high.flatMap((z, ordinal) =>
    Array.from({ length: Math.min(z.households, PHONES_PER_ZONE) }, (_, i) => ({
      riskZoneId: z.id,
      phone: `1729${String(ordinal).padStart(5, '0')}${String(i).padStart(2, '0')}`,
      label: `${z.name} 第${i + 1}户`,
    })),
  );
  const byTown = new Map<string, ZonePlan>();
  // Rain brings most of the danger: flash-flood zones first, then geo-hazards, then the rest; the riskiest first.
  const rank = (z: ZonePlan) => KIND_ORDER.indexOf(z.kindCode) * 10 + HIGH_RISK_GRADES.indexOf(z.riskGrade);
  for (const z of [...high].sort((x, y) => rank(x) - rank(y) || x.code.localeCompare(y.code))) {
    if (!byTown.has(z.townCode)) {
      byTown.set(z.townCode, z);
    }
  }
  const loudspeakers = [...byTown.values()].map((z) => ({
    id: demoId(`loudspeaker:${z.code}`),
    code: `LS-${z.code}`,
    name: `${tree.get(z.villageCode).name}应急广播`,
    riskZoneId: z.id,
    adminUnitCode: z.villageCode,
  }));
  return { phones, loudspeakers };
}

export async function insertPublicWarningTargets(m: EntityManager, t: PublicWarningTargets): Promise<void> {
  await ROSTER.insertResidentPhones(m, t.phones);
  await GEO.insertBroadcastDevices(m, t.loudspeakers);
}
