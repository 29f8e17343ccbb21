import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '@app/common';
import { withinRegion } from './page';

export interface Division {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  hasChildren: boolean;
  /** Names from the county down, e.g. 丰都县 / 十直镇 (search answers only). */
  path?: string;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; geometry: unknown; properties: Record<string, unknown> }>;
}

const LEVELS = ['county', 'town', 'village'] as const;
/** Simplification tolerance in degrees per level (~100 m, ~50 m, ~20 m): enough for a desk map, far fewer vertices. */
const TOLERANCE: Record<string, number> = { county: 0.001, town: 0.0005, village: 0.0002, zone: 0.0001 };

const COLUMNS = `d.code, d.name, d.level, d.parent_code AS "parentCode",
  EXISTS (SELECT 1 FROM admin_units k WHERE k.parent_code = d.code) AS "hasChildren"`;

/** The division tree (区县 → 乡镇 → 村) and our own boundaries and risk zones as GeoJSON, within the caller's region. */
@Injectable()
export class DivisionsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Children of `parent`; without a parent, the caller's own unit (or the counties, for all of Chongqing). */
  async children(parent: string | undefined, regionCode: string): Promise<Division[]> {
    if (parent === undefined) {
      return regionCode === '500000'
        ? this.dataSource.query(`SELECT ${COLUMNS} FROM admin_units d WHERE d.level = 'county' ORDER BY d.code`)
        : this.dataSource.query(`SELECT ${COLUMNS} FROM admin_units d WHERE d.code = $1`, [regionCode]);
    }
    const within = this.within(parent, regionCode);
    if (within !== parent) {
      // The caller's region lies below the parent asked for: answer the region's own unit.
      return this.dataSource.query(`SELECT ${COLUMNS} FROM admin_units d WHERE d.code = $1`, [within]);
    }
    return this.dataSource.query(`SELECT ${COLUMNS} FROM admin_units d WHERE d.parent_code = $1 ORDER BY d.code`, [
      parent,
    ]);
  }

  /** Units whose name contains `q`, counties first, at most 50. */
  async search(q: string, regionCode: string): Promise<Division[]> {
    const text = q.trim();
    if (text.length === 0 || text.length > 50) {
      throw new ValidationError('q: 1–50 characters（请输入 1–50 个字的地名）', { field: 'q' });
    }
    const within = regionCode === '500000' ? '' : regionCode;
    return this.dataSource.query(
      `SELECT ${COLUMNS},
         (SELECT string_agg(a.name, ' / ' ORDER BY a.code) FROM admin_units a
          WHERE a.level IN ('county','town','village') AND d.code LIKE a.code || '%') AS path
       FROM admin_units d
       WHERE d.name LIKE '%' || $1 || '%' AND d.code LIKE $2 || '%' AND d.level IN ('county','town','village')
       ORDER BY array_position(ARRAY['county','town','village']::varchar[], d.level), d.code LIMIT 50`,
      [text, within],
    );
  }

  async unitsGeoJson(level: string, within: string | undefined, regionCode: string): Promise<FeatureCollection> {
    if (!(LEVELS as readonly string[]).includes(level)) {
      throw new ValidationError('level: county, town or village（层级须为 county、town 或 village）', {
        field: 'level',
      });
    }
    const area = this.within(within, regionCode);
    const [row] = await this.dataSource.query<Array<{ fc: FeatureCollection }>>(
      `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
         'type', 'Feature', 'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(d.geom, $3), 6)::json,
         'properties', json_build_object('code', d.code, 'name', d.name, 'level', d.level, 'parentCode', d.parent_code, 'synthetic', d.geom_synthetic))
         ORDER BY d.code), '[]'::json)) AS fc
       FROM admin_units d WHERE d.level = $1 AND d.code LIKE $2 || '%' AND d.geom IS NOT NULL`,
      [level, area, TOLERANCE[level]],
    );
    return row.fc;
  }

  async zonesGeoJson(within: string | undefined, regionCode: string, hazard?: string): Promise<FeatureCollection> {
    const area = this.within(within, regionCode);
    const [row] = await this.dataSource.query<Array<{ fc: FeatureCollection }>>(
      `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
         'type', 'Feature', 'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(z.geom, $2), 6)::json,
         'properties', json_build_object('code', z.code, 'name', z.name, 'hazardType', z.hazard_type, 'kind', z.kind,
           'riskGrade', z.risk_grade, 'unitCode', z.admin_unit_code, 'threatenedPersons', z.threatened_persons))
         ORDER BY z.code), '[]'::json)) AS fc
       FROM risk_zones z WHERE z.admin_unit_code LIKE $1 || '%' AND z.status = 'active' AND ($3::text IS NULL OR z.hazard_type = $3)`,
      [area, TOLERANCE.zone, hazard ?? null],
    );
    return row.fc;
  }

  /**
   * Loudspeakers (应急广播) and shelters (避险安置点) within a code, as points. A loudspeaker without a position of its
   * own stands in its risk zone, else in its unit; shelters without a position are left off.
   */
  async facilitiesGeoJson(within: string | undefined, regionCode: string): Promise<FeatureCollection> {
    const area = this.within(within, regionCode);
    const [row] = await this.dataSource.query<Array<{ fc: FeatureCollection }>>(
      `WITH f AS (
         SELECT 'loudspeaker' AS kind, d.code, d.name, d.admin_unit_code AS unit_code, NULL::int AS capacity, d.active,
                coalesce(d.geom, ST_PointOnSurface(z.geom), ST_PointOnSurface(u.geom)) AS geom
         FROM broadcast_devices d LEFT JOIN risk_zones z ON z.id = d.risk_zone_id
         LEFT JOIN admin_units u ON u.code = coalesce(d.admin_unit_code, z.admin_unit_code)
         WHERE coalesce(d.admin_unit_code, z.admin_unit_code) LIKE $1 || '%'
         UNION ALL
         SELECT 'shelter', s.code, s.name, s.admin_unit_code, s.capacity, true, s.geom
         FROM shelters s WHERE s.admin_unit_code LIKE $1 || '%')
       SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
         'type', 'Feature', 'geometry', ST_AsGeoJSON(f.geom, 6)::json,
         'properties', json_build_object('kind', f.kind, 'code', f.code, 'name', f.name, 'unitCode', f.unit_code,
           'capacity', f.capacity, 'active', f.active)) ORDER BY f.kind, f.code), '[]'::json)) AS fc
       FROM f WHERE f.geom IS NOT NULL`,
      [area],
    );
    return row.fc;
  }

  private within(code: string | undefined, regionCode: string): string {
    if (code !== undefined && !/^\d{6,12}$/.test(code)) {
      throw new ValidationError('区划代码须为 6–12 位数字 (division code: 6–12 digits)', { field: 'within' });
    }
    const area = withinRegion(code, regionCode);
    if (area === null) {
      throw new NotFoundError(`区划 ${code} 不在您的辖区 (division not in your region)`);
    }
    return area;
  }
}
