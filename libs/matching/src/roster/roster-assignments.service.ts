import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Clock, ForbiddenError, inRegion, NotFoundError, ValidationError } from '@app/common';
import { CONTRACTING_LEVELS, ContractingLevel, ROLE_LABELS, SECTOR_LABELS } from '@app/config';
import {
  ContractingAssignmentEntity,
  EventLog,
  ResponsibilityAssignmentEntity,
  RosterRepository,
  TargetType,
} from '@app/database';

export interface AssignmentInput {
  personId: string;
  sector: string;
  roleSlot: string;
  targetType: TargetType;
  targetId: string;
  backupPersonId?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  /** true = 挂牌公示 now; false = not published. */
  published?: boolean;
}

export interface ContractingInput {
  leaderPersonId: string;
  adminUnitCode: string;
  level: ContractingLevel;
  sector?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
}

export interface Actor {
  name: string;
  regionCode: string;
  /** How the audit log names the caller (api-key:… or user:…). */
  actor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Create, edit and end roster rows: responsibility assignments (三个责任人, 网格员 …) and 包干 contracting.
 * Every target and person must lie in the caller's region; ending sets valid_to and keeps the row for the record.
 */
@Injectable()
export class RosterAssignmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly roster: RosterRepository,
  ) {}

  async createAssignment(input: AssignmentInput, actor: Actor): Promise<ResponsibilityAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.checkAssignment(tx, input, actor);
      const saved = await this.roster.saveAssignment(tx, row);
      await this.audit(tx, 'RosterAssignmentCreated', actor, { id: saved.id, ...input });
      return saved;
    });
  }

  async updateAssignment(
    id: string,
    patch: Partial<AssignmentInput>,
    actor: Actor,
  ): Promise<ResponsibilityAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.assignment(tx, id, actor);
      const merged: AssignmentInput = {
        ...current,
        ...defined(patch),
        published: patch.published ?? current.publishedAt !== null,
      };
      const row = await this.checkAssignment(tx, merged, actor);
      row.publishedAt = patch.published === undefined ? current.publishedAt : row.publishedAt;
      const saved = await this.roster.saveAssignment(tx, { ...row, id });
      await this.audit(tx, 'RosterAssignmentChanged', actor, { id, ...patch });
      return saved;
    });
  }

  async endAssignment(id: string, validTo: string | undefined, actor: Actor): Promise<ResponsibilityAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.assignment(tx, id, actor);
      current.validTo = this.endDate(validTo, current.validFrom);
      const saved = await this.roster.saveAssignment(tx, current);
      await this.audit(tx, 'RosterAssignmentEnded', actor, { id, validTo: current.validTo });
      return saved;
    });
  }

  async createContracting(input: ContractingInput, actor: Actor): Promise<ContractingAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.checkContracting(tx, input, actor);
      const saved = await this.roster.saveContracting(tx, row);
      await this.audit(tx, 'RosterContractingCreated', actor, { id: saved.id, ...input });
      return saved;
    });
  }

  async updateContracting(
    id: string,
    patch: Partial<ContractingInput>,
    actor: Actor,
  ): Promise<ContractingAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.contracting(tx, id, actor);
      const row = await this.checkContracting(tx, { ...current, ...defined(patch) }, actor);
      const saved = await this.roster.saveContracting(tx, { ...row, id });
      await this.audit(tx, 'RosterContractingChanged', actor, { id, ...patch });
      return saved;
    });
  }

  async endContracting(id: string, validTo: string | undefined, actor: Actor): Promise<ContractingAssignmentEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.contracting(tx, id, actor);
      current.validTo = this.endDate(validTo, current.validFrom);
      const saved = await this.roster.saveContracting(tx, current);
      await this.audit(tx, 'RosterContractingEnded', actor, { id, validTo: current.validTo });
      return saved;
    });
  }

  private endDate(validTo: string | undefined, validFrom: string | null): string {
    const day = validTo ?? this.clock.now().toISOString().slice(0, 10);
    checkDates(validFrom, day);
    return day;
  }

  private async assignment(tx: EntityManager, id: string, actor: Actor): Promise<ResponsibilityAssignmentEntity> {
    const row = UUID.test(id) ? await tx.getRepository(ResponsibilityAssignmentEntity).findOneBy({ id }) : null;
    if (!row || !inRegion(await this.targetUnit(tx, row.targetType, row.targetId), actor.regionCode)) {
      throw new NotFoundError(`assignment ${id} not found（责任记录不存在或不在您的辖区）`);
    }
    return row;
  }

  private async contracting(tx: EntityManager, id: string, actor: Actor): Promise<ContractingAssignmentEntity> {
    const row = UUID.test(id) ? await tx.getRepository(ContractingAssignmentEntity).findOneBy({ id }) : null;
    if (!row || !inRegion(row.adminUnitCode, actor.regionCode)) {
      throw new NotFoundError(`contracting ${id} not found（包干记录不存在或不在您的辖区）`);
    }
    return row;
  }

  private async checkAssignment(
    tx: EntityManager,
    a: AssignmentInput,
    actor: Actor,
  ): Promise<ResponsibilityAssignmentEntity> {
    if (!ROLE_LABELS[a.roleSlot]) {
      throw new ValidationError(
        `roleSlot: unknown role slot ${a.roleSlot}; use one of ${Object.keys(ROLE_LABELS).join(', ')}（责任类别无效）`,
        { field: 'roleSlot' },
      );
    }
    if (!SECTOR_LABELS[a.sector]) {
      throw new ValidationError(
        `sector: unknown sector ${a.sector}; use one of ${Object.keys(SECTOR_LABELS).join(', ')}（行业/领域无效）`,
        { field: 'sector' },
      );
    }
    checkDates(a.validFrom ?? null, a.validTo ?? null);
    const unit = await this.targetUnit(tx, a.targetType, a.targetId);
    if (!unit) {
      throw new ValidationError(`targetId: no ${a.targetType} ${a.targetId}（责任对象不存在）`, { field: 'targetId' });
    }
    if (!inRegion(unit, actor.regionCode)) {
      throw new ForbiddenError(`target ${a.targetId} is outside your region ${actor.regionCode}（超出辖区）`);
    }
    await this.checkPerson(tx, a.personId, 'personId', actor);
    if (a.backupPersonId) {
      if (a.backupPersonId === a.personId) {
        throw new ValidationError('backupPersonId: the backup cannot be the person themself（B角不能是本人）', {
          field: 'backupPersonId',
        });
      }
      await this.checkPerson(tx, a.backupPersonId, 'backupPersonId', actor);
    }
    return tx.getRepository(ResponsibilityAssignmentEntity).create({
      personId: a.personId,
      sector: a.sector,
      roleSlot: a.roleSlot,
      targetType: a.targetType,
      targetId: a.targetId,
      backupPersonId: a.backupPersonId ?? null,
      validFrom: a.validFrom ?? this.clock.now().toISOString().slice(0, 10),
      validTo: a.validTo ?? null,
      publishedAt: a.published === false ? null : this.clock.now(),
    });
  }

  private async checkContracting(
    tx: EntityManager,
    c: ContractingInput,
    actor: Actor,
  ): Promise<ContractingAssignmentEntity> {
    if (!CONTRACTING_LEVELS.includes(c.level)) {
      throw new ValidationError(`level: use one of ${CONTRACTING_LEVELS.join(', ')}（包干层级无效）`, {
        field: 'level',
      });
    }
    if (c.sector && !SECTOR_LABELS[c.sector]) {
      throw new ValidationError(`sector: unknown sector ${c.sector}（行业/领域无效）`, { field: 'sector' });
    }
    checkDates(c.validFrom ?? null, c.validTo ?? null);
    const [unit] = await tx.query<Array<{ level: string }>>(`SELECT level FROM admin_units WHERE code = $1`, [
      c.adminUnitCode,
    ]);
    const expected = { county_town: 'town', town_village: 'village', village_group: 'village' }[c.level];
    if (!unit || unit.level !== expected) {
      throw new ValidationError(
        `adminUnitCode: ${c.level} contracts a ${expected}; ${c.adminUnitCode} is not one（包干单位与层级不符）`,
        { field: 'adminUnitCode' },
      );
    }
    if (!inRegion(c.adminUnitCode, actor.regionCode)) {
      throw new ForbiddenError(`unit ${c.adminUnitCode} is outside your region ${actor.regionCode}（超出辖区）`);
    }
    await this.checkPerson(tx, c.leaderPersonId, 'leaderPersonId', actor);
    return tx.getRepository(ContractingAssignmentEntity).create({
      leaderPersonId: c.leaderPersonId,
      adminUnitCode: c.adminUnitCode,
      level: c.level,
      sector: c.sector ?? null,
      validFrom: c.validFrom ?? this.clock.now().toISOString().slice(0, 10),
      validTo: c.validTo ?? null,
    });
  }

  /** A person must exist; leaders one tier up may sit outside the caller's region only at county level above it. */
  private async checkPerson(tx: EntityManager, id: string, field: string, actor: Actor): Promise<void> {
    const [p] = UUID.test(id)
      ? await tx.query<Array<{ unit: string }>>(`SELECT admin_unit_code AS unit FROM persons WHERE id = $1`, [id])
      : [];
    if (!p || !(inRegion(p.unit, actor.regionCode) || actor.regionCode.startsWith(p.unit))) {
      throw new ValidationError(`${field}: no person ${id} in your region（人员不存在或不在您的辖区）`, { field });
    }
  }

  /** The admin unit a target sits in ('' when it does not exist). */
  private async targetUnit(tx: EntityManager, type: TargetType, id: string): Promise<string> {
    const sql = {
      unit: `SELECT code AS unit FROM admin_units WHERE code = $1`,
      zone: `SELECT admin_unit_code AS unit FROM risk_zones WHERE id::text = $1`,
      object: `SELECT admin_unit_code AS unit FROM protected_objects WHERE id::text = $1`,
    }[type];
    if (!sql) {
      throw new ValidationError(`targetType: use unit, zone or object（对象类型无效）`, { field: 'targetType' });
    }
    const [row] = await tx.query<Array<{ unit: string }>>(sql, [id]);
    return row?.unit ?? '';
  }

  private async audit(tx: EntityManager, type: string, actor: Actor, data: object): Promise<void> {
    await this.events.append({ type, actor: actorOf(actor), data: { ...data } }, tx);
  }
}

/** Fields a PATCH actually sent (DTO instances carry the others as undefined). */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkDates(from: string | null, to: string | null): void {
  for (const [field, v] of [
    ['validFrom', from],
    ['validTo', to],
  ] as const) {
    if (v !== null && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) {
      throw new ValidationError(`${field}: use YYYY-MM-DD（日期格式错误）`, { field });
    }
  }
  if (from && to && to < from) {
    throw new ValidationError('validTo: ends before validFrom（截止日期早于起始日期）', { field: 'validTo' });
  }
}
