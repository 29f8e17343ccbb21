import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, maskPhone, ValidationError } from '@app/common';
import { DEFAULT_ROSTER_REQUIREMENTS, RosterRequirements } from '@app/config';
import { contactProblem } from '../warning-preview.service';
import { ResponseSpecStore } from '../response-spec.store';

export interface FitnessReport {
  unitCode: string;
  asOf: string;
  summary: Record<'missingSlots' | 'withoutContact' | 'expiredAssignments' | 'invalidContacts' | 'unpublished', number>;
  /** Targets whose required role slots (rosterRequirements of the active spec) have nobody valid today. */
  missingSlots: Array<{
    targetType: string;
    targetId: string;
    code: string;
    name: string;
    unitCode: string;
    missing: string[];
  }>;
  /** People on the roster today with no contact method that can work. */
  withoutContact: Array<{ personId: string; name: string; title: string | null; unitCode: string; problem: string }>;
  /** Rows whose valid_to has passed: they no longer count; renew or remove them. */
  expiredAssignments: Array<{
    id: string;
    kind: 'assignment' | 'contracting';
    personName: string;
    roleSlot: string;
    target: string;
    validTo: string;
  }>;
  /** Numbers and mailboxes a provider reported as not working. */
  invalidContacts: Array<{
    personId: string;
    name: string;
    channel: string;
    address: string;
    invalidAt: Date;
    reason: string | null;
  }>;
  /** Valid assignments not yet 挂牌公示. */
  unpublished: Array<{ id: string; personName: string; roleSlot: string; target: string }>;
}

const TARGETS = `
  SELECT 'unit' AS type, u.code AS id, u.code, u.name, u.code AS unit, u.level AS req FROM admin_units u
    WHERE u.level IN ('town', 'village')
  UNION ALL SELECT 'zone', z.id::text, z.code, z.name, z.admin_unit_code, 'zone' FROM risk_zones z WHERE z.status = 'active'
  UNION ALL SELECT 'object', o.id::text, o.code, o.name, o.admin_unit_code, 'object' FROM protected_objects o`;

const TARGET_NAME = `coalesce((SELECT name FROM admin_units WHERE a.target_type = 'unit' AND code = a.target_id),
  (SELECT name FROM risk_zones WHERE a.target_type = 'zone' AND id::text = a.target_id),
  (SELECT name FROM protected_objects WHERE a.target_type = 'object' AND id::text = a.target_id), a.target_id)`;

const VALID = `(a.valid_from IS NULL OR a.valid_from <= $2::date) AND (a.valid_to IS NULL OR a.valid_to >= $2::date)`;

/** Is the roster fit to call on? Missing role slots, unreachable people, expired rows, dead numbers, unpublished rows. */
@Injectable()
export class RosterFitnessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly specs: ResponseSpecStore,
    private readonly clock: Clock,
  ) {}

  async report(unitCode: string, regionCode: string): Promise<FitnessReport> {
    if (!/^\d{6}(\d{3}){0,2}$/.test(unitCode)) {
      throw new ValidationError('unit: a 6, 9 or 12 digit division code（区划代码格式错误）', { field: 'unit' });
    }
    if (regionCode !== '500000' && !unitCode.startsWith(regionCode)) {
      throw new ValidationError(
        `unit ${unitCode} is outside your region ${regionCode}; ask for ${regionCode} or a unit under it（超出辖区）`,
        { field: 'unit' },
      );
    }
    const asOf = this.clock.now().toISOString().slice(0, 10);
    const req: RosterRequirements = { ...DEFAULT_ROSTER_REQUIREMENTS, ...(await this.specs.peek()).rosterRequirements };
    const q = <T>(sql: string, extra: unknown[] = []) => this.dataSource.query<T[]>(sql, [unitCode, asOf, ...extra]);

    const missingSlots = await q<FitnessReport['missingSlots'][number]>(
      `WITH t AS (${TARGETS}), need AS (
         SELECT t.*, r.role FROM t JOIN (SELECT * FROM jsonb_each($3::jsonb)) k ON k.key = t.req
         CROSS JOIN LATERAL jsonb_array_elements_text(k.value) AS r(role) WHERE t.unit LIKE $1 || '%')
       SELECT type AS "targetType", id AS "targetId", code, name, unit AS "unitCode", array_agg(role ORDER BY role) AS missing
       FROM need n WHERE NOT EXISTS (SELECT 1 FROM responsibility_assignments a
         WHERE a.target_type = n.type AND a.target_id = n.id AND a.role_slot = n.role AND ${VALID})
       GROUP BY type, id, code, name, unit ORDER BY unit, type, code`,
      [JSON.stringify(req)],
    );
    const withoutContact = await q<{
      personId: string;
      name: string;
      title: string | null;
      unitCode: string;
      contacts: number;
      invalidReasons: string | null;
    }>(
      `SELECT p.id AS "personId", p.name, p.title, p.admin_unit_code AS "unitCode",
              (SELECT count(*) FROM contact_methods m WHERE m.person_id = p.id)::int AS contacts,
              (SELECT string_agg(DISTINCT m.invalid_reason, '；') FROM contact_methods m WHERE m.person_id = p.id AND m.invalid_at IS NOT NULL) AS "invalidReasons"
       FROM persons p WHERE p.active AND p.admin_unit_code LIKE $1 || '%'
         AND NOT EXISTS (SELECT 1 FROM contact_methods m WHERE m.person_id = p.id AND m.invalid_at IS NULL)
         AND (EXISTS (SELECT 1 FROM responsibility_assignments a WHERE a.person_id = p.id AND ${VALID})
           OR EXISTS (SELECT 1 FROM contracting_assignments a WHERE a.leader_person_id = p.id AND ${VALID})
           OR EXISTS (SELECT 1 FROM special_residents r WHERE r.caller_person_id = p.id))
       ORDER BY p.admin_unit_code, p.name`,
    );
    const expiredAssignments = await q<FitnessReport['expiredAssignments'][number]>(
      `SELECT a.id, 'assignment' AS kind, p.name AS "personName", a.role_slot AS "roleSlot", ${TARGET_NAME} AS target, a.valid_to::text AS "validTo"
       FROM responsibility_assignments a JOIN persons p ON p.id = a.person_id
       WHERE a.valid_to < $2::date AND p.admin_unit_code LIKE $1 || '%'
       UNION ALL
       SELECT a.id, 'contracting', p.name, a.level, u.name, a.valid_to::text
       FROM contracting_assignments a JOIN persons p ON p.id = a.leader_person_id JOIN admin_units u ON u.code = a.admin_unit_code
       WHERE a.valid_to < $2::date AND a.admin_unit_code LIKE $1 || '%'
       ORDER BY "validTo", "personName"`,
    );
    const invalidContacts = await q<FitnessReport['invalidContacts'][number]>(
      `SELECT p.id AS "personId", p.name, m.channel, m.address, m.invalid_at AS "invalidAt", m.invalid_reason AS reason
       FROM contact_methods m JOIN persons p ON p.id = m.person_id
       WHERE m.invalid_at::date <= $2::date AND p.admin_unit_code LIKE $1 || '%' ORDER BY m.invalid_at DESC, p.name`,
    );
    const unpublished = await q<FitnessReport['unpublished'][number]>(
      `SELECT a.id, p.name AS "personName", a.role_slot AS "roleSlot", ${TARGET_NAME} AS target
       FROM responsibility_assignments a JOIN persons p ON p.id = a.person_id
       WHERE a.published_at IS NULL AND ${VALID} AND p.admin_unit_code LIKE $1 || '%' ORDER BY target, a.role_slot`,
    );
    const report: Omit<FitnessReport, 'summary'> = {
      unitCode,
      asOf,
      missingSlots,
      withoutContact: withoutContact.map(({ contacts, invalidReasons, ...p }) => ({
        ...p,
        problem: contactProblem({ contacts, invalidReasons }),
      })),
      expiredAssignments,
      invalidContacts: invalidContacts.map((c) => ({
        ...c,
        address: c.channel === 'email' ? c.address.replace(/^(.).*@/, '$1***@') : maskPhone(c.address),
      })),
      unpublished,
    };
    return {
      ...report,
      summary: {
        missingSlots: missingSlots.length,
        withoutContact: report.withoutContact.length,
        expiredAssignments: expiredAssignments.length,
        invalidContacts: invalidContacts.length,
        unpublished: unpublished.length,
      },
    };
  }
}
