import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ValidationError } from '@app/common';
import { ContactMethodsRepository, EventLog, RosterRepository } from '@app/database';
import { readCsv, readXlsx, RosterRow, RowError, validateSheet } from './roster-sheet';

export type SheetFormat = 'csv' | 'xlsx';

export interface ImportSummary {
  dryRun: boolean;
  rows: number;
  personsCreated: number;
  contactsCreated: number;
  assignmentsCreated: number;
  assignmentsUnchanged: number;
}

interface Unit {
  code: string;
  name: string;
  level: string;
}

interface ResolvedRow extends RosterRow {
  unitCode: string;
  targetId: string;
  targetTypeCode: 'unit' | 'object' | 'zone';
  personKey: string;
  backupKey: string | null;
}

/** Village names are written with or without the committee suffix. */
const shortName = (name: string) => name.replace(/(村民委员会|社区居民委员会|居民委员会|村委会|居委会)$/, '');
const personKey = (name: string, mobile: string) => `${name}|${mobile}`;

/**
 * Bulk import of 三个责任人 and other roster lines from the spreadsheets towns keep. Every row is checked
 * (format, then names against the database) before anything is written; a file with any error imports nothing.
 */
@Injectable()
export class RosterImportService {
  private readonly logger = new Logger(RosterImportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly contacts: ContactMethodsRepository,
    private readonly roster: RosterRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async import(
    bytes: Buffer,
    format: SheetFormat,
    opts: { regionCode: string; actor: string; dryRun?: boolean },
  ): Promise<ImportSummary> {
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
      throw new ValidationError('empty body: send the CSV or XLSX file（文件为空）', { field: 'body' });
    }
    const table = format === 'csv' ? readCsv(bytes) : await readXlsx(bytes);
    const { rows, errors } = validateSheet(table);
    const today = this.clock.now().toISOString().slice(0, 10);
    return this.dataSource.transaction(async (tx) => {
      const resolved = await this.resolve(tx, rows, opts.regionCode, errors);
      if (errors.length > 0) {
        errors.sort((a, b) => a.row - b.row);
        throw new ValidationError(
          `${errors.length} problem(s) in the file, nothing imported; first: row ${errors[0].row} ${errors[0].column} ${errors[0].problem}（文件有误，未导入任何数据）`,
          { errors },
        );
      }
      const summary = await this.write(tx, resolved, today);
      const result = { dryRun: opts.dryRun === true, rows: rows.length, ...summary };
      if (opts.dryRun) {
        // Everything was checked and written inside this transaction; a dry run undoes it.
        await tx.query('ROLLBACK TO SAVEPOINT roster_import');
      } else {
        await this.events.append({ type: 'RosterImported', actor: opts.actor, data: { ...result, format } }, tx);
        this.logger.log({ msg: 'roster imported', ...result });
      }
      return result;
    });
  }

  /** Names → codes and ids, adding row errors for anything not found, ambiguous or outside the region. */
  private async resolve(
    tx: EntityManager,
    rows: RosterRow[],
    region: string,
    errors: RowError[],
  ): Promise<ResolvedRow[]> {
    const units = await tx.query<Unit[]>(
      `SELECT code, name, level FROM admin_units WHERE level IN ('county', 'town', 'village') AND ($1 = '500000' OR code LIKE $1 || '%')`,
      [region],
    );
    const out: ResolvedRow[] = [];
    const fileMobiles = new Map<string, string>();
    for (const r of rows) {
      const bad = (column: string, problem: string) => errors.push({ row: r.row, column, problem });
      const county = r.county ? pickUnit(units, 'county', r.county, '') : null;
      if (county && 'problem' in county) {
        bad('区县', county.problem);
        continue;
      }
      const town = pickUnit(units, 'town', r.town, county?.code ?? '');
      if ('problem' in town) {
        bad('乡镇', town.problem);
        continue;
      }
      const village = r.village ? pickUnit(units, 'village', r.village, town.code) : null;
      if (village && 'problem' in village) {
        bad('村（社区）', village.problem);
        continue;
      }
      const unitCode = village?.code ?? town.code;
      let targetId = unitCode;
      if (r.target) {
        const found = await findTarget(tx, r, unitCode);
        if (typeof found !== 'string') {
          bad('责任对象', found.problem);
          continue;
        }
        targetId = found;
      }
      const owner = fileMobiles.get(r.mobile);
      if (owner && owner !== r.name) {
        bad('手机号码', `同一号码在文件中登记给了“${owner}”和“${r.name}”`);
        continue;
      }
      fileMobiles.set(r.mobile, r.name);
      out.push({
        ...r,
        unitCode,
        targetId,
        targetTypeCode: r.targetType.targetType,
        personKey: personKey(r.name, r.mobile),
        backupKey: null,
      });
    }
    await this.checkMobiles(tx, out, errors);
    await this.resolveBackups(tx, out, errors);
    return out;
  }

  /** A number already on file for someone else is an error, not a silent merge. */
  private async checkMobiles(tx: EntityManager, rows: ResolvedRow[], errors: RowError[]): Promise<void> {
    const taken = await tx.query<Array<{ address: string; name: string }>>(
      `SELECT DISTINCT m.address, p.name FROM contact_methods m JOIN persons p ON p.id = m.person_id
       WHERE m.channel IN ('sms', 'voice') AND m.address = ANY($1::varchar[])`,
      [[...new Set(rows.map((r) => r.mobile))]],
    );
    for (const r of rows) {
      const other = taken.find((t) => t.address === r.mobile && t.name !== r.name);
      if (other) {
        errors.push({ row: r.row, column: '手机号码', problem: `该号码已登记给“${other.name}”` });
      }
    }
  }

  /** B角 by name: someone else in the file in the same town, or a person already on the roster in that town. */
  private async resolveBackups(tx: EntityManager, rows: ResolvedRow[], errors: RowError[]): Promise<void> {
    const named = rows.filter((r) => r.backup);
    if (named.length === 0) {
      return;
    }
    const known = await tx.query<Array<{ id: string; name: string; unit: string }>>(
      `SELECT id, name, admin_unit_code AS unit FROM persons WHERE active AND name = ANY($1::varchar[])`,
      [[...new Set(named.map((r) => r.backup))]],
    );
    for (const r of named) {
      const town = r.unitCode.slice(0, 9);
      const inFile = [
        ...new Set(rows.filter((o) => o.name === r.backup && o.unitCode.startsWith(town)).map((o) => o.personKey)),
      ];
      const inDb = [...new Set(known.filter((k) => k.name === r.backup && k.unit.startsWith(town)).map((k) => k.id))];
      if (r.backup === r.name) {
        errors.push({ row: r.row, column: '备用联系人/B角', problem: 'B角不能是本人' });
      } else if (inFile.length === 1) {
        r.backupKey = inFile[0];
      } else if (inFile.length === 0 && inDb.length === 1) {
        r.backupKey = `id:${inDb[0]}`;
      } else {
        const problem =
          inFile.length + inDb.length === 0
            ? `本镇（街道）找不到“${r.backup}”`
            : `本镇（街道）有多个“${r.backup}”，请改为唯一姓名`;
        errors.push({ row: r.row, column: '备用联系人/B角', problem });
      }
    }
  }

  private async write(
    tx: EntityManager,
    rows: ResolvedRow[],
    today: string,
  ): Promise<Omit<ImportSummary, 'dryRun' | 'rows'>> {
    await tx.query('SAVEPOINT roster_import');
    const ids = new Map<string, string>();
    let personsCreated = 0;
    let contactsCreated = 0;
    for (const r of rows) {
      if (ids.has(r.personKey)) {
        continue;
      }
      const [existing] = await tx.query<Array<{ id: string }>>(
        `SELECT p.id FROM persons p JOIN contact_methods m ON m.person_id = p.id
         WHERE p.name = $1 AND m.address = $2 AND m.channel IN ('sms', 'voice') LIMIT 1`,
        [r.name, r.mobile],
      );
      let id = existing?.id;
      if (!id) {
        id = await this.roster.addPerson(tx, { name: r.name, title: r.title || null, adminUnitCode: r.unitCode });
        personsCreated++;
      }
      contactsCreated += await this.contacts.addMobile(tx, id, r.mobile);
      ids.set(r.personKey, id);
    }
    let assignmentsCreated = 0;
    for (const r of rows) {
      const backup = r.backupKey ? (r.backupKey.startsWith('id:') ? r.backupKey.slice(3) : ids.get(r.backupKey)) : null;
      const added = await this.roster.addAssignmentUnlessHeld(
        tx,
        {
          personId: ids.get(r.personKey) as string,
          sector: r.sector,
          roleSlot: r.roleSlot,
          targetType: r.targetTypeCode,
          targetId: r.targetId,
          backupPersonId: backup ?? null,
          validFrom: r.validFrom ?? today,
          validTo: r.validTo,
        },
        today,
      );
      assignmentsCreated += added ? 1 : 0;
    }
    return {
      personsCreated,
      contactsCreated,
      assignmentsCreated,
      assignmentsUnchanged: rows.length - assignmentsCreated,
    };
  }
}

/** A unit by code or by name (village names with or without the committee suffix), inside `under`. */
function pickUnit(units: Unit[], level: string, text: string, under: string): Unit | { problem: string } {
  const candidates = units.filter((u) => u.level === level && u.code.startsWith(under));
  const byCode = /^\d+$/.test(text) ? candidates.filter((u) => u.code === text) : [];
  const found =
    byCode.length > 0 ? byCode : candidates.filter((u) => u.name === text || shortName(u.name) === shortName(text));
  if (found.length === 1) {
    return found[0];
  }
  return {
    problem: found.length === 0 ? `在您的辖区内找不到“${text}”` : `“${text}”不唯一，请填写区县或区划代码`,
  };
}

async function findTarget(tx: EntityManager, r: RosterRow, unitCode: string): Promise<string | { problem: string }> {
  const table = r.targetType.targetType === 'object' ? 'protected_objects' : 'risk_zones';
  const kindColumn = r.targetType.targetType === 'object' ? 'type' : 'kind';
  const found = await tx.query<Array<{ id: string }>>(
    `SELECT id::text AS id FROM ${table} WHERE ${kindColumn} = $1 AND admin_unit_code LIKE $2 || '%' AND (code = $3 OR name = $3)`,
    [r.targetType.kind, unitCode, r.target],
  );
  if (found.length === 1) {
    return found[0].id;
  }
  return {
    problem:
      found.length === 0
        ? `在该乡镇/村找不到${r.targetType.targetType === 'object' ? '对象' : '风险区'}“${r.target}”`
        : `“${r.target}”不唯一，请填写编码`,
  };
}
