import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, maskPhone, NotFoundError, ValidationError } from '@app/common';
import { roleLabel, sectorLabel } from '@app/config';
import { TARGET_TYPE_LABELS } from './roster-labels';
import { BOARD_COLUMNS } from './roster-sheet';

export interface BoardLine {
  county: string;
  town: string;
  village: string;
  targetType: 'unit' | 'zone' | 'object';
  targetId: string;
  targetName: string;
  targetKind: string;
  sector: string;
  roleSlot: string;
  name: string;
  title: string | null;
  mobile: string | null;
  backupName: string | null;
}

export interface BoardScope {
  townCode?: string;
  objectId?: string;
  zoneId?: string;
}

const KIND_LABEL = new Map(
  Object.entries(TARGET_TYPE_LABELS)
    .filter(([, v]) => v.kind)
    .map(([label, v]) => [v.kind as string, label]),
);

/**
 * The published 三个责任人 board (挂牌公示): valid, published assignments of one town (its town, villages, zones
 * and objects) or of one object or zone. Phone numbers masked unless the caller may see them in full.
 */
@Injectable()
export class RosterBoardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async board(scope: BoardScope, regionCode: string, opts: { fullPhones?: boolean } = {}): Promise<BoardLine[]> {
    const { where, param, unit } = await this.scope(scope);
    if (regionCode !== '500000' && !unit.startsWith(regionCode)) {
      throw new NotFoundError('not found in your region（不在您的辖区）');
    }
    const rows = await this.dataSource.query<Array<BoardLine & { unitCode: string }>>(
      `WITH targets AS (
         SELECT 'unit' AS type, u.code AS id, u.name, u.level AS kind, u.code AS unit FROM admin_units u
         UNION ALL SELECT 'zone', z.id::text, z.name, z.kind, z.admin_unit_code FROM risk_zones z
         UNION ALL SELECT 'object', o.id::text, o.name, o.type, o.admin_unit_code FROM protected_objects o)
       SELECT coalesce(c.name, '') AS county, coalesce(tw.name, '') AS town, coalesce(v.name, '') AS village,
              a.target_type AS "targetType", a.target_id AS "targetId", t.name AS "targetName", t.kind AS "targetKind",
              a.sector, a.role_slot AS "roleSlot", p.name, p.title, b.name AS "backupName", t.unit AS "unitCode",
              (SELECT m.address FROM contact_methods m WHERE m.person_id = p.id AND m.channel IN ('sms', 'voice')
                 AND m.invalid_at IS NULL ORDER BY m.priority LIMIT 1) AS mobile
       FROM responsibility_assignments a
       JOIN targets t ON t.type = a.target_type AND t.id = a.target_id
       JOIN persons p ON p.id = a.person_id
       LEFT JOIN persons b ON b.id = coalesce(a.backup_person_id, p.backup_person_id)
       LEFT JOIN admin_units c ON c.code = left(t.unit, 6)
       LEFT JOIN admin_units tw ON length(t.unit) >= 9 AND tw.code = left(t.unit, 9)
       LEFT JOIN admin_units v ON length(t.unit) = 12 AND v.code = t.unit
       WHERE a.published_at IS NOT NULL AND (a.valid_from IS NULL OR a.valid_from <= $2::date)
         AND (a.valid_to IS NULL OR a.valid_to >= $2::date) AND ${where}
       ORDER BY t.unit, a.target_type DESC, t.name, a.sector, a.role_slot, p.name`,
      [param, this.clock.now().toISOString().slice(0, 10)],
    );
    return rows.map(({ unitCode: _u, ...line }) => ({
      ...line,
      mobile: line.mobile && !opts.fullPhones ? maskPhone(line.mobile) : line.mobile,
    }));
  }

  /** Lines in the import layout (区县, 乡镇, 村（社区）, 责任对象 …), so an export can be edited and imported back. */
  static sheetRows(lines: BoardLine[]): { header: readonly string[]; rows: string[][] } {
    return {
      header: BOARD_COLUMNS,
      rows: lines.map((l) => [
        l.county,
        l.town,
        l.village,
        l.targetType === 'unit' ? '' : l.targetName,
        l.targetType === 'unit' ? '' : (KIND_LABEL.get(l.targetKind) ?? l.targetKind),
        sectorLabel(l.sector),
        roleLabel(l.roleSlot),
        l.name,
        l.title ?? '',
        l.mobile ?? '',
        l.backupName ?? '',
      ]),
    };
  }

  private async scope(s: BoardScope): Promise<{ where: string; param: string; unit: string }> {
    const given = [s.townCode, s.objectId, s.zoneId].filter(Boolean);
    if (given.length !== 1) {
      throw new ValidationError('give exactly one of town, objectId or zoneId（请指定一个乡镇或一个对象）', {
        field: 'scope',
      });
    }
    if (s.townCode) {
      if (!/^\d{9}$/.test(s.townCode)) {
        throw new ValidationError('town: a 9-digit town code（乡镇代码应为 9 位）', { field: 'town' });
      }
      return { where: `t.unit LIKE $1 || '%'`, param: s.townCode, unit: s.townCode };
    }
    const [type, id] = s.objectId ? (['object', s.objectId] as const) : (['zone', s.zoneId as string] as const);
    const table = type === 'object' ? 'protected_objects' : 'risk_zones';
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.query<Array<{ unit: string }>>(
          `SELECT admin_unit_code AS unit FROM ${table} WHERE id = $1`,
          [id],
        )
      : [];
    if (!row) {
      throw new NotFoundError(`${type} ${id} not found（对象不存在）`);
    }
    return { where: `a.target_type = '${type}' AND a.target_id = $1`, param: id, unit: row.unit };
  }
}
