import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import type { AreaMatch } from './area-matcher';
import { escalationPaths, innerMap, PathFacts, SameRoleSeed, VALID_ON } from './escalation-paths';
import { callFilter, parentUnitCode, tierOfReason } from './recipient-tiers';

export interface Recipient {
  personId: string;
  /** The lowest tier any of the person's reasons is called at. */
  tier: number;
  reasons: CallReason[];
  escalationPath: string[][];
  hasContact: boolean;
}

/** A reason row: the reason, the facts that place it in a tier and point one tier up, and the person's own facts. */
export interface ReasonRow {
  personId: string;
  kind: CallReason['kind'];
  roleSlot: string | null;
  sector: string | null;
  targetType: NonNullable<CallReason['targetType']> | null;
  targetId: string | null;
  targetName: string | null;
  unitLevel: string | null;
  unitCode: string | null;
  /** For a one-to-one resident: the zone it was found through. */
  viaZone?: string | null;
  personUnit: string;
  backup: string | null;
  hasContact: boolean;
}

/** Ancestors of a unit code by the official code structure: village 12 → town 9 → county 6. */
export function unitWithAncestors(codes: string[]): string[] {
  const all = new Set<string>();
  for (const code of codes) {
    for (let c: string | null = code; c; c = parentUnitCode(c)) {
      all.add(c);
    }
  }
  return [...all].sort();
}

/** The reason as stored on the call: only the fields the row has (named stores, one object shape per kind). */
function reasonOf(row: ReasonRow): CallReason {
  const reason: Record<string, string> = { kind: row.kind };
  if (row.roleSlot !== null) {
    reason.roleSlot = row.roleSlot;
  }
  if (row.sector !== null) {
    reason.sector = row.sector;
  }
  if (row.targetType !== null) {
    reason.targetType = row.targetType;
  }
  if (row.targetId !== null) {
    reason.targetId = row.targetId;
  }
  if (row.targetName !== null) {
    reason.targetName = row.targetName;
  }
  return reason as unknown as CallReason;
}

/** What makes two reasons the same, for a row or a reason already kept (absent and null alike). */
const reasonKey = (r: { [K in keyof CallReason]?: CallReason[K] | null }) =>
  [r.kind, r.roleSlot, r.sector, r.targetType, r.targetId, r.targetName].map((v) => v ?? '').join('\u0000');

/** From an assignment reason: the unit one tier above the target's unit, where the same role is looked for. */
export function sameRoleSeed(r: Pick<ReasonRow, 'kind' | 'sector' | 'roleSlot' | 'unitCode'>): SameRoleSeed | null {
  const parent = r.kind === 'assignment' && r.unitCode ? parentUnitCode(r.unitCode) : null;
  return parent && r.sector && r.roleSlot ? { parent, roleSlot: r.roleSlot, sector: r.sector } : null;
}

/** One call per person: the lowest tier of any reason, every distinct reason once, the facts of the path. */
interface Called extends PathFacts {
  tier: number;
  reasons: CallReason[];
  keys: Set<string> | null;
  hasContact: boolean;
}

/**
 * From matched targets to people: roster assignments on zones, objects and units, 包干 leaders of the units,
 * one-to-one callers of vulnerable residents in the zones; each placed in the spec's tiers, with the
 * escalation path resolved now. One statement reads every reason with its person's own facts (unit, the effective
 * backup kept on the person, a usable contact); the paths are then built from lookups shared between people
 * (escalation-paths.ts).
 */
@Injectable()
export class RecipientResolver {
  async resolve(manager: EntityManager, match: AreaMatch, spec: ResolvedSpec, today: string): Promise<Recipient[]> {
    return this.recipients(manager, await this.reasonRows(manager, match, spec, today, null), spec, today);
  }

  /**
   * The people one county's chunk of a larger area calls: those found through its targets whose first county (of
   * the reasons some tier calls, anywhere in the area) is this one. Each comes with every reason in the area, so a
   * person reached from several counties is called once, by the first county's chunk, for all of them.
   */
  async resolveChunk(
    manager: EntityManager,
    chunk: { county: string; match: AreaMatch },
    rest: AreaMatch,
    spec: ResolvedSpec,
    today: string,
  ): Promise<Recipient[]> {
    const rows = await this.reasonRows(manager, chunk.match, spec, today, null);
    const found = [...new Set(rows.map((r) => r.personId))];
    const elsewhere =
      found.length > 0 && hasTargets(rest) ? await this.reasonRows(manager, rest, spec, today, found) : [];
    const all = elsewhere.length > 0 ? rows.concat(elsewhere) : rows;
    const first = firstCounties(all, spec, [...chunk.match.zones, ...rest.zones]);
    return this.recipients(
      manager,
      all.filter((r) => first.get(r.personId) === chunk.county),
      spec,
      today,
    );
  }

  private async recipients(
    manager: EntityManager,
    rows: ReasonRow[],
    spec: ResolvedSpec,
    today: string,
  ): Promise<Recipient[]> {
    const { called, seeds } = groupByPerson(rows, spec);
    if (called.size === 0) {
      return [];
    }
    const people = [...called.values()];
    const paths = await escalationPaths(manager, people, spec, today, seeds);
    return people.map((p, i) => ({
      personId: p.personId,
      tier: p.tier,
      reasons: p.reasons,
      escalationPath: paths[i],
      hasContact: p.hasContact,
    }));
  }

  /** Every reason the targets give (only those of `personIds` when given), named from the match. */
  private async reasonRows(
    manager: EntityManager,
    match: AreaMatch,
    spec: ResolvedSpec,
    today: string,
    personIds: string[] | null,
  ): Promise<ReasonRow[]> {
    const f = callFilter(spec.tiers);
    // PostGIS-heavy plans look expensive enough to JIT-compile, which costs more than it saves here.
    await manager.query('SET LOCAL jit = off');
    const rows = await manager.query<ReasonRow[]>(
      `WITH r AS (
         SELECT a.person_id, 'assignment' AS kind, a.role_slot, a.sector, 'zone' AS target_type, a.target_id,
                NULL AS target_name, NULL AS unit_level, NULL AS unit_code, NULL AS via_zone
         FROM responsibility_assignments a
         WHERE a.target_type = 'zone' AND a.target_id = ANY($1::varchar[]) AND ${VALID_ON('a', '$6::date')}
           AND ($9 OR a.role_slot = ANY($10::varchar[]))
         UNION ALL
         SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'object', a.target_id, NULL, NULL, NULL, NULL
         FROM responsibility_assignments a
         WHERE a.target_type = 'object' AND a.target_id = ANY($2::varchar[]) AND ${VALID_ON('a', '$6::date')}
           AND ($11 OR a.role_slot = ANY($12::varchar[]))
         UNION ALL
         SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'unit', u.code, u.name, u.level, u.code, NULL
         FROM responsibility_assignments a JOIN admin_units u ON u.code = a.target_id
         WHERE a.target_type = 'unit' AND a.target_id = ANY($3::varchar[]) AND ${VALID_ON('a', '$6::date')}
           AND ($13 OR a.role_slot = ANY($4::varchar[])) AND (a.sector = ANY($5::varchar[]) OR a.sector = 'all')
         UNION ALL
         SELECT c.leader_person_id, 'contracting', c.level, coalesce(c.sector, 'all'), 'unit', u.code, u.name, u.level, u.code, NULL
         FROM contracting_assignments c JOIN admin_units u ON u.code = c.admin_unit_code
         WHERE c.admin_unit_code = ANY($3::varchar[]) AND c.level = ANY($7::varchar[]) AND ${VALID_ON('c', '$6::date')}
           AND (c.sector IS NULL OR c.sector = ANY($5::varchar[]))
         UNION ALL
         SELECT r.caller_person_id, 'one_to_one', 'one_to_one_caller', NULL, 'resident', r.id::text, r.label, NULL,
                r.admin_unit_code, r.risk_zone_id::text
         FROM special_residents r WHERE $8 AND r.risk_zone_id = ANY($14::uuid[]))
       SELECT r.person_id AS "personId", r.kind, r.role_slot AS "roleSlot", r.sector, r.target_type AS "targetType",
              r.target_id AS "targetId", r.target_name AS "targetName", r.unit_level AS "unitLevel",
              r.unit_code AS "unitCode", r.via_zone AS "viaZone", p.admin_unit_code AS "personUnit",
              p.effective_backup_id AS backup,
              EXISTS (SELECT 1 FROM contact_methods m WHERE m.person_id = p.id AND m.invalid_at IS NULL) AS "hasContact"
       FROM r JOIN persons p ON p.id = r.person_id${personIds ? ' WHERE r.person_id = ANY($15::uuid[])' : ''}`,
      [
        match.zones.map((z) => z.id),
        match.objects.map((o) => o.id),
        unitWithAncestors(match.unitCodes),
        f.unitRoles,
        spec.sectors,
        today,
        f.contracting,
        f.oneToOne,
        f.zoneAll,
        f.zoneRoles,
        f.objectAll,
        f.objectRoles,
        f.unitAll,
        match.zones.map((z) => z.id),
        ...(personIds ? [personIds] : []),
      ],
    );
    nameTargets(rows, match);
    return rows;
  }
}

const hasTargets = (m: AreaMatch) => m.zones.length + m.objects.length + m.unitCodes.length > 0;

/** The county a reason was found in: of its target's unit, or for a resident of the zone it was found through. */
export const countyOfReason = (row: ReasonRow, zoneUnits: Map<string, string>): string =>
  ((row.viaZone ? zoneUnits.get(row.viaZone) : row.unitCode) ?? '').slice(0, 6);

/** Per person, the lowest county of the reasons some tier calls: the chunk that calls them. */
export function firstCounties(
  rows: ReasonRow[],
  spec: Pick<ResolvedSpec, 'tiers'>,
  zones: AreaMatch['zones'],
): Map<string, string> {
  const zoneUnits = new Map(zones.map((z) => [z.id, z.unitCode]));
  const first = new Map<string, string>();
  for (const row of rows) {
    if (tierOfReason(spec.tiers, row) === null) {
      continue;
    }
    const county = countyOfReason(row, zoneUnits);
    const seen = first.get(row.personId);
    if (seen === undefined || county < seen) {
      first.set(row.personId, county);
    }
  }
  return first;
}

/**
 * Zones and objects come named from the area match: their rows carry only the id, and every reason on the same
 * target shares the match's strings.
 */
function nameTargets(rows: ReasonRow[], match: AreaMatch): void {
  const zones = new Map(match.zones.map((z) => [z.id, z]));
  const objects = new Map(match.objects.map((o) => [o.id, o]));
  for (const row of rows) {
    const target =
      row.targetType === 'zone'
        ? zones.get(row.targetId as string)
        : row.targetType === 'object'
          ? objects.get(row.targetId as string)
          : undefined;
    if (target) {
      row.targetId = target.id;
      row.targetName = target.name;
      row.unitCode = target.unitCode;
    }
  }
}

/**
 * One entry per person whose reasons some tier calls: the lowest such tier, each distinct reason once, and the
 * same-role seeds of those reasons (each seed listed once however many people point at it).
 */
export function groupByPerson(
  rows: ReasonRow[],
  spec: Pick<ResolvedSpec, 'tiers'>,
): { called: Map<string, Called>; seeds: SameRoleSeed[] } {
  const called = new Map<string, Called>();
  const seeds = new SeedIndex();
  for (const row of rows) {
    const tier = tierOfReason(spec.tiers, row);
    if (tier === null) {
      continue;
    }
    let person = called.get(row.personId);
    if (!person) {
      person = {
        personId: row.personId,
        unitCode: row.personUnit,
        backup: row.backup,
        hasContact: row.hasContact,
        tier,
        reasons: [reasonOf(row)],
        keys: null,
        seeds: [],
      };
      called.set(row.personId, person);
    } else {
      // Most people have one reason: the set of reasons seen is made only for the others.
      person.keys ??= new Set(person.reasons.map((r) => reasonKey(r)));
      const key = reasonKey(row);
      if (!person.keys.has(key)) {
        person.keys.add(key);
        person.reasons.push(reasonOf(row));
      }
      person.tier = Math.min(person.tier, tier);
    }
    const index = seeds.of(row);
    if (index !== null && !person.seeds.includes(index)) {
      person.seeds.push(index);
    }
  }
  return { called, seeds: seeds.list };
}

/**
 * The same-role seeds in the order first met, each once. Looked up by the row's own unit, role and sector, so that
 * a row costs three map lookups and no new string or object; a seed is built once per unit, role and sector.
 */
class SeedIndex {
  readonly list: SameRoleSeed[] = [];
  private readonly byParent = new Map<string, number>();
  private readonly byUnit = new Map<string, Map<string, Map<string, number | null>>>();

  of(row: ReasonRow): number | null {
    if (row.kind !== 'assignment' || !row.unitCode || !row.sector || !row.roleSlot) {
      return null;
    }
    const bySector = innerMap(innerMap(this.byUnit, row.unitCode), row.roleSlot);
    let index = bySector.get(row.sector);
    if (index === undefined) {
      index = this.add(sameRoleSeed(row));
      bySector.set(row.sector, index);
    }
    return index;
  }

  private add(seed: SameRoleSeed | null): number | null {
    if (!seed) {
      return null;
    }
    const key = `${seed.parent} ${seed.roleSlot} ${seed.sector}`;
    let index = this.byParent.get(key);
    if (index === undefined) {
      index = this.list.push(seed) - 1;
      this.byParent.set(key, index);
    }
    return index;
  }
}
