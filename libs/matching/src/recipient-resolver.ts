import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import type { AreaMatch } from './area-matcher';

export interface Recipient {
  personId: string;
  reasons: CallReason[];
  escalationPath: string[][];
  hasContact: boolean;
}

interface ReasonRow extends CallReason {
  personId: string;
}

/** Ancestors of a unit code by the official code structure: village 12 → town 9 → county 6. */
export function unitWithAncestors(codes: string[]): string[] {
  const all = new Set<string>();
  for (const code of codes) {
    all.add(code);
    if (code.length > 9) {
      all.add(code.slice(0, 9));
    }
    if (code.length > 6) {
      all.add(code.slice(0, 6));
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

/**
 * From matched targets to people: roster assignments on zones, objects and units, 包干 leaders of the units,
 * one-to-one callers of vulnerable residents in the zones; each with the escalation path resolved now.
 */
@Injectable()
export class RecipientResolver {
  async resolve(manager: EntityManager, match: AreaMatch, spec: ResolvedSpec, today: string): Promise<Recipient[]> {
    const units = unitWithAncestors(match.unitCodes);
    const rows = await manager.query<ReasonRow[]>(
      `WITH valid AS (
         SELECT * FROM responsibility_assignments
         WHERE (valid_from IS NULL OR valid_from <= $6::date) AND (valid_to IS NULL OR valid_to >= $6::date))
       SELECT a.person_id AS "personId", 'assignment' AS kind, a.role_slot AS "roleSlot", a.sector,
              'zone' AS "targetType", z.id::text AS "targetId", z.name AS "targetName"
       FROM valid a JOIN risk_zones z ON a.target_type = 'zone' AND a.target_id = z.id::text
       WHERE z.id = ANY($1::uuid[])
       UNION ALL
       SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'object', o.id::text, o.name
       FROM valid a JOIN protected_objects o ON a.target_type = 'object' AND a.target_id = o.id::text
       WHERE o.id = ANY($2::uuid[])
       UNION ALL
       SELECT a.person_id, 'assignment', a.role_slot, a.sector, 'unit', u.code, u.name
       FROM valid a JOIN admin_units u ON a.target_type = 'unit' AND a.target_id = u.code
       WHERE u.code = ANY($3::varchar[]) AND a.role_slot = ANY($4::varchar[])
         AND (a.sector = ANY($5::varchar[]) OR a.sector = 'all')
       UNION ALL
       SELECT c.leader_person_id, 'contracting', c.level, coalesce(c.sector, 'all'), 'unit', u.code, u.name
       FROM contracting_assignments c JOIN admin_units u ON u.code = c.admin_unit_code
       WHERE c.admin_unit_code = ANY($3::varchar[]) AND c.level = ANY($7::varchar[])
         AND (c.sector IS NULL OR c.sector = ANY($5::varchar[]))
       UNION ALL
       SELECT r.caller_person_id, 'one_to_one', 'one_to_one_caller', NULL, 'resident', r.id::text, r.label
       FROM special_residents r WHERE $8 AND r.risk_zone_id = ANY($1::uuid[])`,
      [
        match.zones.map((z) => z.id),
        match.objects.map((o) => o.id),
        units,
        spec.unitRoles,
        spec.sectors,
        today,
        spec.contracting,
        spec.oneToOne,
      ],
    );
    const byPerson = groupReasons(rows.map((r) => stripNulls(r)));
    if (byPerson.size === 0) {
      return [];
    }
    const paths = await this.escalationPaths(manager, [...byPerson.keys()], spec);
    return [...byPerson.entries()].map(([personId, reasons]) => ({
      personId,
      reasons,
      escalationPath: paths.get(personId)?.path ?? [],
      hasContact: paths.get(personId)?.hasContact ?? false,
    }));
  }

  /**
   * For each person, in the configured order: backup (A/B 角), 包干 superior of the unit they sit in,
   * the duty officer and then the commander of their county. The person never escalates to themself.
   */
  async escalationPaths(
    manager: EntityManager,
    personIds: string[],
    spec: Pick<ResolvedSpec, 'escalationSteps'>,
  ): Promise<Map<string, { path: string[][]; hasContact: boolean }>> {
    const rows = await manager.query<Array<Record<string, string | boolean | null> & { id: string; has_contact: boolean }>>(
      `SELECT p.id,
         coalesce(p.backup_person_id,
           (SELECT a.backup_person_id FROM responsibility_assignments a
            WHERE a.person_id = p.id AND a.backup_person_id IS NOT NULL ORDER BY a.id LIMIT 1)) AS backup,
         (SELECT c.leader_person_id FROM contracting_assignments c
          WHERE c.admin_unit_code = p.admin_unit_code AND c.leader_person_id <> p.id ORDER BY c.level DESC, c.id LIMIT 1) AS contracting_superior,
         (SELECT a.person_id FROM responsibility_assignments a
          WHERE a.role_slot = 'duty_officer' AND a.target_type = 'unit' AND a.target_id = left(p.admin_unit_code, 6)
          AND a.person_id <> p.id ORDER BY a.id LIMIT 1) AS duty_officer,
         (SELECT a.person_id FROM responsibility_assignments a
          WHERE a.role_slot = 'commander' AND a.target_type = 'unit' AND a.target_id = left(p.admin_unit_code, 6)
          AND a.person_id <> p.id ORDER BY a.id LIMIT 1) AS commander,
         EXISTS (SELECT 1 FROM contact_methods m WHERE m.person_id = p.id AND m.invalid_at IS NULL) AS has_contact
       FROM persons p WHERE p.id = ANY($1::uuid[])`,
      [personIds],
    );
    const result = new Map<string, { path: string[][]; hasContact: boolean }>();
    for (const row of rows) {
      result.set(row.id, { path: escalationSteps(row.id, row, spec.escalationSteps), hasContact: row.has_contact });
    }
    return result;
  }
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
    const people = step.map((rule) => targets[rule]).filter((p): p is string => typeof p === 'string' && !seen.has(p));
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
