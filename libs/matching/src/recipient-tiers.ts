import type { ResolvedTier } from '@app/config';

/** What the resolver knows of one reason row before it becomes a CallReason. */
export interface ReasonFacts {
  kind: string;
  roleSlot?: string | null;
  targetType?: string | null;
  /** Level of the unit for unit targets: county, town or village. */
  unitLevel?: string | null;
}

const allows = (roles: string[], role: string | null | undefined) =>
  roles.includes('*') || (role !== undefined && role !== null && roles.includes(role));

/** The first tier whose call list covers this reason, or null when no tier calls it. Pure. */
export function tierOfReason(tiers: ResolvedTier[], r: ReasonFacts): number | null {
  for (const t of tiers) {
    const c = t.call;
    const hit =
      (r.kind === 'assignment' && r.targetType === 'zone' && allows(c.zone, r.roleSlot)) ||
      (r.kind === 'assignment' && r.targetType === 'object' && allows(c.object, r.roleSlot)) ||
      (r.kind === 'assignment' &&
        r.targetType === 'unit' &&
        r.unitLevel === 'county' &&
        allows(c.county, r.roleSlot)) ||
      (r.kind === 'assignment' && r.targetType === 'unit' && r.unitLevel === 'town' && allows(c.town, r.roleSlot)) ||
      (r.kind === 'assignment' &&
        r.targetType === 'unit' &&
        r.unitLevel === 'village' &&
        allows(c.village, r.roleSlot)) ||
      (r.kind === 'contracting' && (c.contracting as string[]).includes(r.roleSlot ?? '')) ||
      (r.kind === 'one_to_one' && c.oneToOne);
    if (hit) {
      return t.tier;
    }
  }
  return null;
}

/** The union of every tier's call lists, to narrow the SQL before the exact per-tier check. */
export function callFilter(tiers: ResolvedTier[]) {
  const union = (pick: (t: ResolvedTier) => string[]) => [...new Set(tiers.flatMap(pick))];
  const zone = union((t) => t.call.zone);
  const object = union((t) => t.call.object);
  return {
    zoneAll: zone.includes('*'),
    zoneRoles: zone,
    objectAll: object.includes('*'),
    objectRoles: object,
    unitRoles: union((t) => [...t.call.county, ...t.call.town, ...t.call.village]),
    unitAll: tiers.some((t) => [...t.call.county, ...t.call.town, ...t.call.village].includes('*')),
    contracting: union((t) => t.call.contracting),
    oneToOne: tiers.some((t) => t.call.oneToOne),
  };
}

/** The unit one tier up by the official code structure: village 12 → town 9 → county 6 → none. */
export function parentUnitCode(code: string): string | null {
  if (code.length > 9) {
    return code.slice(0, 9);
  }
  if (code.length > 6) {
    return code.slice(0, 6);
  }
  return null;
}
