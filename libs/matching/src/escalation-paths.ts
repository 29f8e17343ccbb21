import { EntityManager } from 'typeorm';
import type { ResolvedSpec } from '@app/config';

/** What a person's path is built from: their own backup, the unit they sit in, the same-role seeds of their reasons. */
export interface PathFacts {
  personId: string;
  unitCode: string;
  backup: string | null;
  /** Indexes into the seeds given with the people: one per unit one tier up that the person's reasons point at. */
  seeds: number[];
}

/** Where the same role and sector is looked for one tier up: the parent unit of a target the person is called for. */
export interface SameRoleSeed {
  parent: string;
  roleSlot: string;
  sector: string;
}

export const VALID_ON = (alias: string, day: string) =>
  `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= ${day}) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ${day})`;

/** Two candidates per unit and per county role, so a person who is their own superior still finds the next one. */
export type Candidates = Map<string, string[]>;

export interface Holder {
  assignmentId: string;
  personId: string;
}

/**
 * Escalation paths for many people, built from lookups shared between them: the 包干 leaders of each unit, the duty
 * officer and commander of each county and the holders of each (unit one tier up, role, sector) are read once, and
 * people with the same backup, unit and seeds share one path (the same array). Only someone who is on that path
 * themself gets a path of their own (never themself; the second candidate where they are their own superior).
 * The paths come back in the order of the people.
 */
export async function escalationPaths(
  manager: EntityManager,
  people: PathFacts[],
  spec: Pick<ResolvedSpec, 'escalationSteps'>,
  today: string,
  seeds: SameRoleSeed[],
): Promise<string[][][]> {
  const units = [...new Set(people.map((p) => p.unitCode))];
  const counties = [...new Set(units.map((u) => u.slice(0, 6)))];
  const superiors = await unitSuperiors(manager, units, counties, today);
  const holders = await sameRoleHolders(manager, seeds, today);
  return sharePaths(people, { ...superiors, holders }, spec.escalationSteps);
}

/** What the paths are built from, read once for everyone (see escalationPaths). */
export interface PathLookups {
  /** Per unit code, its 包干 leaders' two candidates; per county code, its duty officer's and commander's. */
  leaders: Candidates;
  dutyOfficers: Candidates;
  commanders: Candidates;
  /** Per seed index, the same role's holders one tier up in assignment order. */
  holders: Holder[][];
}

/** The paths, one per person in order, shared between people with the same backup, unit and seeds. */
export function sharePaths(
  people: PathFacts[],
  lookups: PathLookups,
  steps: ReadonlyArray<readonly string[]>,
): string[][][] {
  // Keyed by backup, then unit, then seeds (one seed by its number, others joined): no string made per person.
  const shared = new Map<string | null, Map<string, Map<number | string, SharedPath>>>();
  return people.map((p) => {
    const bySeeds = innerMap(innerMap(shared, p.backup), p.unitCode);
    const seedsKey = p.seeds.length === 1 ? p.seeds[0] : p.seeds.join(' ');
    let entry = bySeeds.get(seedsKey);
    if (!entry) {
      const county = p.unitCode.slice(0, 6);
      const targets: PathTargets = {
        backup: p.backup,
        contracting_superior: lookups.leaders.get(p.unitCode) ?? [],
        same_role_up: mergeHolders(p.seeds.map((i) => lookups.holders[i])),
        duty_officer: lookups.dutyOfficers.get(county) ?? [],
        commander: lookups.commanders.get(county) ?? [],
      };
      const path = escalationSteps('', forPerson(targets, ''), steps);
      entry = { targets, path, on: new Set(path.flat()) };
      bySeeds.set(seedsKey, entry);
    }
    return entry.on.has(p.personId)
      ? escalationSteps(p.personId, forPerson(entry.targets, p.personId), steps)
      : entry.path;
  });
}

interface SharedPath {
  targets: PathTargets;
  path: string[][];
  on: Set<string>;
}

/** The map under `key` in a map of maps, made when missing. */
export function innerMap<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

/** A unit's and a county's two candidates each, the holders one tier up in assignment order. */
interface PathTargets {
  backup: string | null;
  contracting_superior: string[];
  same_role_up: string[];
  duty_officer: string[];
  commander: string[];
}

/** The targets as one person sees them: of two candidates, the first who is not the person. */
function forPerson(t: PathTargets, self: string): Record<string, string | string[] | null> {
  const pick = (ids: string[]) => (ids[0] !== self ? ids[0] : ids[1]) ?? null;
  return {
    backup: t.backup,
    contracting_superior: pick(t.contracting_superior),
    same_role_up: t.same_role_up,
    duty_officer: pick(t.duty_officer),
    commander: pick(t.commander),
  };
}

/** Rules to people, step by step: no one twice, never the person themself, empty steps dropped. */
export function escalationSteps(
  self: string,
  targets: Record<string, unknown>,
  steps: ReadonlyArray<readonly string[]>,
): string[][] {
  const seen = new Set([self]);
  const path: string[][] = [];
  for (const step of steps) {
    const people: string[] = [];
    for (const rule of step) {
      const value = targets[rule];
      for (const p of Array.isArray(value) ? (value as unknown[]) : [value]) {
        if (typeof p === 'string' && !seen.has(p)) {
          seen.add(p);
          people.push(p);
        }
      }
    }
    if (people.length > 0) {
      path.push(people);
    }
  }
  return path;
}

function mergeHolders(lists: Holder[][]): string[] {
  const all = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => cmp(a.assignmentId, b.assignmentId));
  return all.map((h) => h.personId);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function unitSuperiors(
  manager: EntityManager,
  units: string[],
  counties: string[],
  today: string,
): Promise<{ leaders: Candidates; dutyOfficers: Candidates; commanders: Candidates }> {
  const rows = await manager.query<Array<{ kind: string; key: string; ids: string[] }>>(
    `SELECT 'leader' AS kind, c.admin_unit_code AS key,
            (array_agg(c.leader_person_id::text ORDER BY c.level DESC, c.id))[1:2] AS ids
     FROM contracting_assignments c WHERE c.admin_unit_code = ANY($1::varchar[]) AND ${VALID_ON('c', '$3::date')}
     GROUP BY c.admin_unit_code
     UNION ALL
     SELECT a.role_slot, a.target_id, (array_agg(a.person_id::text ORDER BY a.id))[1:2]
     FROM responsibility_assignments a
     WHERE a.role_slot IN ('duty_officer', 'commander') AND a.target_type = 'unit'
       AND a.target_id = ANY($2::varchar[]) AND ${VALID_ON('a', '$3::date')}
     GROUP BY a.target_id, a.role_slot`,
    [units, counties, today],
  );
  const of = (kind: string): Candidates => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.key, r.ids]));
  return { leaders: of('leader'), dutyOfficers: of('duty_officer'), commanders: of('commander') };
}

/** Holders of the same role slot and sector on each seed's unit (town ADMIN → county ADMIN of that sector), by seed. */
async function sameRoleHolders(manager: EntityManager, seeds: SameRoleSeed[], today: string): Promise<Holder[][]> {
  const bySeed = seeds.map((): Holder[] => []);
  if (seeds.length === 0) {
    return bySeed;
  }
  const rows = await manager.query<Array<{ i: number; assignmentId: string; personId: string }>>(
    `SELECT x.i, a.id AS "assignmentId", a.person_id AS "personId"
     FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) WITH ORDINALITY AS x(parent, role_slot, sector, i)
     JOIN responsibility_assignments a ON a.target_type = 'unit' AND a.target_id = x.parent AND a.role_slot = x.role_slot
       AND (a.sector = x.sector OR a.sector = 'all' OR x.sector = 'all') AND ${VALID_ON('a', '$4::date')}
     ORDER BY a.id`,
    [seeds.map((s) => s.parent), seeds.map((s) => s.roleSlot), seeds.map((s) => s.sector), today],
  );
  for (const r of rows) {
    bySeed[Number(r.i) - 1].push(r);
  }
  return bySeed;
}
