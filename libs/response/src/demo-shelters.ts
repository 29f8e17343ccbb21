import { DataSource } from 'typeorm';

/**
 * SYNTHETIC shelters for the demo district: one temporary shelter (临时避灾点, capacity 120) at the centre of every
 * village that has a risk zone, in the village committee building. Deterministic codes; re-running adds nothing.
 */
export async function seedDemoShelters(ds: DataSource): Promise<number> {
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO shelters (code, name, admin_unit_code, capacity, geom, synthetic)
     SELECT 'SH-' || u.code, u.name || '村委会临时避灾点', u.code, 120, ST_PointOnSurface(u.geom), true
     FROM admin_units u
     WHERE u.level = 'village' AND u.geom IS NOT NULL AND EXISTS (SELECT 1 FROM risk_zones z WHERE z.admin_unit_code = u.code)
     ON CONFLICT (code) DO NOTHING RETURNING id`,
  );
  return rows.length;
}
