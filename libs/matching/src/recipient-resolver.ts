import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import type { AreaMatch } from './area-matcher';
import { callFilter, parentUnitCode, tierOfReason } from './recipient-tiers';

export interface Recipient {
  personId: string;
  /** The lowest tier any of the person's reasons is called at. */
  tier: number;
  reasons: CallReason[];
  escalationPath: string[][];
  hasContact: boolean;
}

interface ReasonRow extends CallReason {
  personId: string;
}

/** A raw row: the reason plus the facts used to place it in a tier and to find the same role one tier up. */
interface RawReasonRow extends ReasonRow {
  unitLevel: string | null;
  unitCode: string | null;
}

type PathTargets = {
  backup: string | null;
  contracting_superior: string | null;
  same_role_up: string[];
  duty_officer: string | null;
  commander: string | null;
};

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

/** Groups reason rows by person: one call per person, listing every reason once. */
export function groupReasons(rows: ReasonRow[]): Map<string, CallReason[]> {
  const byPerson = new Map<string, CallReason[]>();
  for (const { personId, ...reason } of rows) {
    const list = byPerson.get(personId) ?? [];
    const key = JSON.stringify(reason);
    if (!list.some((r) => JSON.stringify(r) === key)) {
      list.push(reason);
    }
    byPerson.set(personId, list);
  }
  return byPerson;
}

/** The first of two candidates who is not the person themself. */
const notSelf = (ids: string) => `CASE WHEN ${ids}[1] IS DISTINCT FROM p.id THEN ${ids}[1] ELSE ${ids}[2] END`;

const VALID_ON = (alias: string, day: string) =>
  `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= ${day}) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ${day})`;

/**
 * From matched targets to people: roster assignments on zones, objects and units, 包干 leaders of the units,
 * one-to-one callers of vulnerable residents in the zones; each placed in the spec's tiers, with the
 * escalation path resolved now.
 */
@Injectable()
export class RecipientResolver {
  async resolve(manager: EntityManager, match: AreaMatch, spec: ResolvedSpec, today: string): Promise<Recipient[]> {
    const f = callFilter(spec.tiers);
    // PostGIS-heavy plans look expensive enough to JIT-compile, which costs more than it saves here.
    await manager.query('SET LOCAL jit = off');
    const rows = await manager.query<RawReasonRow[]>(
      `WITH valid AS (SELECT * FROM responsibility_assignments a WHERE ${VALID_ON('a', '$6::date')})
       SELECT a.person_id AS "personId", 'assignment' AS kind, a.role_slot AS "roleSlot", a.sector,
              'zone' AS "targetType", z.id::text AS "targetId", z.name AS "targetName",
              NULL AS "unitLevel", z.admin_unit_code AS "unitCode"
       FROM valid a JOIN risk_zones z ON a.target_type = 'zone' AND a.target_id = z.id::text
       WHERE z.id = ANY($1::uuid[]) AND ($9 OR a.role_slot = ANY($10::varchar[]))
       UNION ALL
       SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'object', o.id::text, o.name, NULL, o.admin_unit_code
       FROM valid a JOIN protected_objects o ON a.target_type = 'object' AND a.target_id = o.id::text
       WHERE o.id = ANY($2::uuid[]) AND ($11 OR a.role_slot = ANY($12::varchar[]))
       UNION ALL
       SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'unit', u.code, u.name, u.level, u.code
       FROM valid a JOIN admin_units u ON a.target_type = 'unit' AND a.target_id = u.code
       WHERE u.code = ANY($3::varchar[]) AND ($13 OR a.role_slot = ANY($4::varchar[]))
         AND (a.sector = ANY($5::varchar[]) OR a.sector = 'all')
       UNION ALL
       SELECT c.leader_person_id, 'contracting', c.level, coalesce(c.sector, 'all'), 'unit', u.code, u.name, u.level, u.code
       FROM contracting_assignments c JOIN admin_units u ON u.code = c.admin_unit_code
       WHERE c.admin_unit_code = ANY($3::varchar[]) AND c.level = ANY($7::varchar[]) AND ${VALID_ON('c', '$6::date')}
         AND (c.sector IS NULL OR c.sector = ANY($5::varchar[]))
       UNION ALL
       SELECT r.caller_person_id, 'one_to_one', 'one_to_one_caller', NULL, 'resident', r.id::text, r.label, NULL, r.admin_unit_code
       FROM special_residents r WHERE $8 AND r.risk_zone_id = ANY($1::uuid[])`,
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
      ],
    );
    const tierOf = new Map<string, number>();
    const kept: RawReasonRow[] = [];
    for (const row of rows) {
      const tier = tierOfReason(spec.tiers, { ...row, unitLevel: row.unitLevel ?? undefined });
      if (tier !== null) {
        kept.push(row);
        tierOf.set(row.personId, Math.min(tier, tierOf.get(row.personId) ?? tier));
      }
    }
    const byPerson = groupReasons(kept.map(({ unitLevel: _l, unitCode: _c, ...reason }) => stripNulls(reason)));
    if (byPerson.size === 0) {
      return [];
    }
    const paths = await this.escalationPaths(manager, [...byPerson.keys()], spec, today, sameRoleSeeds(kept));
    return [...byPerson.entries()].map(([personId, reasons]) => ({
      personId,
      tier: tierOf.get(personId) ?? 0,
      reasons,
      escalationPath: paths.get(personId)?.path ?? [],
      hasContact: paths.get(personId)?.hasContact ?? false,
    }));
  }

  /**
   * For each person, by the configured steps: backup (A/B 角), 包干 superior of the unit they sit in, the holders
   * of the same role and sector one tier up from the targets they are called for, then the duty officer and the
   * commander of their county. The person never escalates to themself.
   */
  async escalationPaths(
    manager: EntityManager,
    personIds: string[],
    spec: Pick<ResolvedSpec, 'escalationSteps'>,
    today: string,
    seeds: SameRoleSeed[] = [],
  ): Promise<Map<string, { path: string[][]; hasContact: boolean }>> {
    // Set-based: the leaders of each unit and the duty officers/commanders of each county are looked up once, with
    // two candidates each so a person who is their own superior still finds the next one.
    const rows = await manager.query<Array<Omit<PathTargets, 'same_role_up'> & { id: string; has_contact: boolean }>>(
      `WITH p AS (SELECT id, admin_unit_code AS unit, left(admin_unit_code, 6) AS county, backup_person_id FROM persons
                  WHERE id = ANY($1::uuid[])),
         leaders AS (SELECT c.admin_unit_code AS unit, (array_agg(c.leader_person_id ORDER BY c.level DESC, c.id))[1:2] AS ids
                     FROM contracting_assignments c WHERE c.admin_unit_code IN (SELECT unit FROM p) AND ${VALID_ON('c', '$2::date')}
                     GROUP BY c.admin_unit_code),
         county AS (SELECT a.target_id AS county, a.role_slot, (array_agg(a.person_id ORDER BY a.id))[1:2] AS ids
                    FROM responsibility_assignments a
                    WHERE a.role_slot IN ('duty_officer', 'commander') AND a.target_type = 'unit'
                      AND a.target_id IN (SELECT county FROM p) AND ${VALID_ON('a', '$2::date')}
                    GROUP BY a.target_id, a.role_slot)
       SELECT p.id,
         coalesce(p.backup_person_id,
           (SELECT a.backup_person_id FROM responsibility_assignments a
            WHERE a.person_id = p.id AND a.backup_person_id IS NOT NULL ORDER BY a.id LIMIT 1)) AS backup,
         ${notSelf('l.ids')} AS contracting_superior, ${notSelf('d.ids')} AS duty_officer, ${notSelf('k.ids')} AS commander,
         EXISTS (SELECT 1 FROM contact_methods m WHERE m.person_id = p.id AND m.invalid_at IS NULL) AS has_contact
       FROM p LEFT JOIN leaders l ON l.unit = p.unit
         LEFT JOIN county d ON d.county = p.county AND d.role_slot = 'duty_officer'
         LEFT JOIN county k ON k.county = p.county AND k.role_slot = 'commander'`,
      [personIds, today],
    );
    const up = await this.sameRoleUp(manager, seeds, today);
    const result = new Map<string, { path: string[][]; hasContact: boolean }>();
    for (const row of rows) {
      const targets: PathTargets = { ...row, same_role_up: up.get(row.id) ?? [] };
      result.set(row.id, { path: escalationSteps(row.id, targets, spec.escalationSteps), hasContact: row.has_contact });
    }
    return result;
  }

  /** Holders of the same role slot and sector on the unit one tier up (town ADMIN → county ADMIN of that sector). */
  private async sameRoleUp(
    manager: EntityManager,
    seeds: SameRoleSeed[],
    today: string,
  ): Promise<Map<string, string[]>> {
    const up = new Map<string, string[]>();
    if (seeds.length === 0) {
      return up;
    }
    const rows = await manager.query<Array<{ personId: string; holder: string }>>(
      `SELECT DISTINCT x.person_id AS "personId", a.person_id AS holder, a.id
       FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[]) AS x(person_id, sector, role_slot, parent)
       JOIN responsibility_assignments a ON a.target_type = 'unit' AND a.target_id = x.parent AND a.role_slot = x.role_slot
         AND (a.sector = x.sector OR a.sector = 'all' OR x.sector = 'all') AND a.person_id <> x.person_id
         AND ${VALID_ON('a', '$5::date')}
       ORDER BY a.id`,
      [
        seeds.map((s) => s.personId),
        seeds.map((s) => s.sector),
        seeds.map((s) => s.roleSlot),
        seeds.map((s) => s.parent),
        today,
      ],
    );
    for (const r of rows) {
      up.set(r.personId, [...(up.get(r.personId) ?? []), r.holder]);
    }
    return up;
  }
}

export interface SameRoleSeed {
  personId: string;
  sector: string;
  roleSlot: string;
  parent: string;
}

/** From each assignment reason: the unit one tier above the target's unit, where the same role is looked for. */
export function sameRoleSeeds(
  rows: Array<Pick<RawReasonRow, 'personId' | 'kind' | 'sector' | 'roleSlot' | 'unitCode'>>,
): SameRoleSeed[] {
  const seeds = new Map<string, SameRoleSeed>();
  for (const r of rows) {
    const parent = r.kind === 'assignment' && r.unitCode ? parentUnitCode(r.unitCode) : null;
    if (parent && r.sector && r.roleSlot) {
      const seed = { personId: r.personId, sector: r.sector, roleSlot: r.roleSlot, parent };
      seeds.set(JSON.stringify(seed), seed);
    }
  }
  return [...seeds.values()];
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
    const people = step
      .flatMap((rule) => (Array.isArray(targets[rule]) ? (targets[rule] as unknown[]) : [targets[rule]]))
      .filter((p): p is string => typeof p === 'string' && !seen.has(p));
    const unique = [...new Set(people)];
    unique.forEach((p) => seen.add(p));
    if (unique.length > 0) {
      path.push(unique);
    }
  }
  return path;
}

function stripNulls<T extends object>(row: T): T {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as T;
}
