import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContractingAssignmentEntity } from '../entities/contracting-assignment.entity';
import { ResponsibilityAssignmentEntity, TargetType } from '../entities/responsibility-assignment.entity';
import { insertMany } from './bulk-insert';

/** Rows whose admin_unit_code lies under one of `patterns` (LIKE patterns, e.g. '500151%'), synthetic ones only if asked. */
export interface AreaScope {
  patterns: string[];
  syntheticOnly: boolean;
}

/** SQL: the row's admin_unit_code lies in the scope whose patterns are the text[] parameter `param`. */
export function inAreaSql(scope: AreaScope, param: string): string {
  return `${scope.syntheticOnly ? 'synthetic AND ' : ''}admin_unit_code LIKE ANY (${param}::text[])`;
}

/** SQL: the ids of the persons in the scope (patterns in `param`). */
export function peopleInAreaSql(scope: AreaScope, param: string): string {
  return `SELECT id FROM persons WHERE ${inAreaSql(scope, param)}`;
}

/** A statement that yields rows, in the column order the insert names (the caller's set-based generator). */
export interface RowSource {
  sql: string;
  params?: unknown[];
}

export interface NewPerson {
  id: string;
  name: string;
  title: string;
  organization: string;
  adminUnitCode: string;
  backupPersonId: string | null;
}

export interface NewAssignment {
  id: string;
  personId: string;
  sector: string;
  roleSlot: string;
  targetType: TargetType;
  targetId: string;
  backupPersonId: string | null;
  validFrom: string;
  validTo: string | null;
  publishedAt: string | null;
}

export interface NewContracting {
  id: string;
  leaderPersonId: string;
  adminUnitCode: string;
  level: string;
  sector: string | null;
}

export interface NewSpecialResident {
  id: string;
  label: string;
  groupType: string;
  adminUnitCode: string;
  riskZoneId: string;
  callerPersonId: string;
}

export interface NewResidentPhone {
  riskZoneId: string;
  phone: string;
  label: string;
}

/** An assignment a roster import asks for (ids resolved, dates as YYYY-MM-DD). */
export interface ImportedAssignment {
  personId: string;
  sector: string;
  roleSlot: string;
  targetType: string;
  targetId: string;
  backupPersonId: string | null;
  validFrom: string;
  validTo: string | null;
}

const PERSON_COLUMNS = 'id, name, title, organization, admin_unit_code, backup_person_id, active, synthetic';
const ASSIGNMENT_COLUMNS = `id, person_id, sector, role_slot, target_type, target_id, backup_person_id,
  valid_from, valid_to, published_at`;

/**
 * The writer of the roster: `persons`, their `responsibility_assignments` and 包干 `contracting_assignments`, the
 * `special_residents` they call and the households' `resident_phones` of risk zones. Roster import and edits add
 * and change rows one at a time; the demo seed and the province generator load and reset them set-based (their
 * contacts go through ContactMethodsRepository).
 */
@Injectable()
export class RosterRepository {
  /** A person a roster import adds; returns the new id. */
  async addPerson(m: EntityManager, p: { name: string; title: string | null; adminUnitCode: string }): Promise<string> {
    const [{ id }] = await m.query<Array<{ id: string }>>(
      `INSERT INTO persons (name, title, admin_unit_code) VALUES ($1, $2, $3) RETURNING id`,
      [p.name, p.title, p.adminUnitCode],
    );
    return id;
  }

  /** The assignment, unless the person already holds it on `today` or later; true when added. */
  async addAssignmentUnlessHeld(m: EntityManager, a: ImportedAssignment, today: string): Promise<boolean> {
    const inserted = await m.query<unknown[]>(
      `INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id, backup_person_id,
                                              valid_from, valid_to, published_at)
       SELECT $1::uuid, $2::varchar, $3::varchar, $4::varchar, $5::varchar, $6::uuid, $7::date, $8::date, now()
       WHERE NOT EXISTS (SELECT 1 FROM responsibility_assignments a WHERE a.person_id = $1 AND a.sector = $2
         AND a.role_slot = $3 AND a.target_type = $4 AND a.target_id = $5 AND (a.valid_to IS NULL OR a.valid_to >= $9::date))
       RETURNING id`,
      [a.personId, a.sector, a.roleSlot, a.targetType, a.targetId, a.backupPersonId, a.validFrom, a.validTo, today],
    );
    return inserted.length > 0;
  }

  /** Creates or rewrites an assignment (edits through the roster API). */
  saveAssignment(m: EntityManager, row: ResponsibilityAssignmentEntity): Promise<ResponsibilityAssignmentEntity> {
    return m.getRepository(ResponsibilityAssignmentEntity).save(row);
  }

  /** Creates or rewrites a 包干 contracting (edits through the roster API). */
  saveContracting(m: EntityManager, row: ContractingAssignmentEntity): Promise<ContractingAssignmentEntity> {
    return m.getRepository(ContractingAssignmentEntity).save(row);
  }

  /** Active synthetic persons, in bulk. */
  async insertSyntheticPersons(m: EntityManager, rows: NewPerson[]): Promise<void> {
    await insertMany<NewPerson>(
      m,
      'persons',
      [
        { name: 'id', type: 'uuid', value: (p) => p.id },
        { name: 'name', type: 'varchar', value: (p) => p.name },
        { name: 'title', type: 'varchar', value: (p) => p.title },
        { name: 'organization', type: 'varchar', value: (p) => p.organization },
        { name: 'admin_unit_code', type: 'varchar', value: (p) => p.adminUnitCode },
        { name: 'backup_person_id', type: 'uuid', value: (p) => p.backupPersonId },
        { name: 'active', type: 'boolean', value: () => true },
        { name: 'synthetic', type: 'boolean', value: () => true },
      ],
      rows,
    );
  }

  /** Persons generated by a statement, in one INSERT … SELECT (columns: PERSON_COLUMNS). */
  async insertPersonsFrom(m: EntityManager, source: RowSource): Promise<void> {
    await m.query(`INSERT INTO persons (${PERSON_COLUMNS}) ${source.sql}`, source.params);
  }

  async insertAssignments(m: EntityManager, rows: NewAssignment[]): Promise<void> {
    await insertMany<NewAssignment>(
      m,
      'responsibility_assignments',
      [
        { name: 'id', type: 'uuid', value: (a) => a.id },
        { name: 'person_id', type: 'uuid', value: (a) => a.personId },
        { name: 'sector', type: 'varchar', value: (a) => a.sector },
        { name: 'role_slot', type: 'varchar', value: (a) => a.roleSlot },
        { name: 'target_type', type: 'varchar', value: (a) => a.targetType },
        { name: 'target_id', type: 'varchar', value: (a) => a.targetId },
        { name: 'backup_person_id', type: 'uuid', value: (a) => a.backupPersonId },
        { name: 'valid_from', type: 'date', value: (a) => a.validFrom },
        { name: 'valid_to', type: 'date', value: (a) => a.validTo },
        { name: 'published_at', type: 'timestamptz', value: (a) => a.publishedAt },
      ],
      rows,
    );
  }

  /** Assignments generated by a statement, in one INSERT … SELECT (columns: ASSIGNMENT_COLUMNS). */
  async insertAssignmentsFrom(m: EntityManager, source: RowSource): Promise<void> {
    await m.query(`INSERT INTO responsibility_assignments (${ASSIGNMENT_COLUMNS}) ${source.sql}`, source.params);
  }

  async insertContracting(m: EntityManager, rows: NewContracting[]): Promise<void> {
    await insertMany<NewContracting>(
      m,
      'contracting_assignments',
      [
        { name: 'id', type: 'uuid', value: (c) => c.id },
        { name: 'leader_person_id', type: 'uuid', value: (c) => c.leaderPersonId },
        { name: 'admin_unit_code', type: 'varchar', value: (c) => c.adminUnitCode },
        { name: 'level', type: 'varchar', value: (c) => c.level },
        { name: 'sector', type: 'varchar', value: (c) => c.sector },
      ],
      rows,
    );
  }

  /** 包干 rows generated by a statement, in one INSERT … SELECT (columns: id, leader_person_id, admin_unit_code, level). */
  async insertContractingFrom(m: EntityManager, source: RowSource): Promise<void> {
    await m.query(
      `INSERT INTO contracting_assignments (id, leader_person_id, admin_unit_code, level) ${source.sql}`,
      source.params,
    );
  }

  async insertSyntheticResidents(m: EntityManager, rows: NewSpecialResident[]): Promise<void> {
    await insertMany<NewSpecialResident>(
      m,
      'special_residents',
      [
        { name: 'id', type: 'uuid', value: (r) => r.id },
        { name: 'label', type: 'varchar', value: (r) => r.label },
        { name: 'group_type', type: 'varchar', value: (r) => r.groupType },
        { name: 'admin_unit_code', type: 'varchar', value: (r) => r.adminUnitCode },
        { name: 'risk_zone_id', type: 'uuid', value: (r) => r.riskZoneId },
        { name: 'caller_person_id', type: 'uuid', value: (r) => r.callerPersonId },
        { name: 'synthetic', type: 'boolean', value: () => true },
      ],
      rows,
    );
  }

  /** Households' phones in risk zones (全员发布 reaches them). */
  async insertResidentPhones(m: EntityManager, rows: NewResidentPhone[]): Promise<void> {
    await insertMany<NewResidentPhone>(
      m,
      'resident_phones',
      [
        { name: 'risk_zone_id', type: 'uuid', value: (r) => r.riskZoneId },
        { name: 'phone', type: 'varchar', value: (r) => r.phone },
        { name: 'label', type: 'varchar', value: (r) => r.label },
      ],
      rows,
    );
  }

  /**
   * Deletes the scope's people with their assignments, 包干 and the special residents in the scope or called by
   * them (their contacts first: ContactMethodsRepository.deleteOfPeople). Set-based, a statement per table.
   */
  async deletePeople(m: EntityManager, scope: AreaScope): Promise<void> {
    const people = peopleInAreaSql(scope, '$1');
    const params = [scope.patterns];
    await m.query(
      `DELETE FROM special_residents WHERE ${inAreaSql(scope, '$1')} OR caller_person_id IN (${people})`,
      params,
    );
    await m.query(`DELETE FROM responsibility_assignments WHERE person_id IN (${people})`, params);
    await m.query(`DELETE FROM contracting_assignments WHERE leader_person_id IN (${people})`, params);
    await m.query(`DELETE FROM persons WHERE ${inAreaSql(scope, '$1')}`, params);
  }
}
