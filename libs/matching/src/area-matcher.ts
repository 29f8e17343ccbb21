import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface AreaMatch {
  zones: Array<{ id: string; code: string; name: string; unitCode: string }>;
  objects: Array<{ id: string; code: string; name: string; unitCode: string; type: string }>;
  /** Towns and villages the area touches, plus the units of matched zones and objects. */
  unitCodes: string[];
}

// A target is in the area when its geometry intersects the warning's polygons/circles,
// or when its unit code lies under one of the warning's division codes (a town code covers its villages).
const IN_AREA = (geom: string, code: string) => `(
  (w.area_geom IS NOT NULL AND ST_Intersects(${geom}, w.area_geom))
  OR EXISTS (SELECT 1 FROM unnest(w.area_codes) c WHERE ${code} LIKE c || '%'))`;

/** PostGIS matching of a stored warning's area to risk zones, protected objects and administrative units. */
@Injectable()
export class AreaMatcher {
  async match(manager: EntityManager, warningId: string, zoneKinds: string[], objectTypes: string[]): Promise<AreaMatch> {
    const zones = await manager.query<AreaMatch['zones']>(
      `SELECT z.id, z.code, z.name, z.admin_unit_code AS "unitCode" FROM risk_zones z, warnings w
       WHERE w.id = $1 AND z.status = 'active' AND z.kind = ANY($2::varchar[]) AND ${IN_AREA('z.geom', 'z.admin_unit_code')}
       ORDER BY z.code`,
      [warningId, zoneKinds],
    );
    const objects = await manager.query<AreaMatch['objects']>(
      `SELECT o.id, o.code, o.name, o.type, o.admin_unit_code AS "unitCode" FROM protected_objects o, warnings w
       WHERE w.id = $1 AND o.type = ANY($2::varchar[]) AND ${IN_AREA('o.geom', 'o.admin_unit_code')}
       ORDER BY o.code`,
      [warningId, objectTypes],
    );
    const units = await manager.query<Array<{ code: string }>>(
      `SELECT u.code FROM admin_units u, warnings w
       WHERE w.id = $1 AND u.level IN ('town', 'village') AND ${IN_AREA('u.geom', 'u.code')}`,
      [warningId],
    );
    const unitCodes = new Set(units.map((u) => u.code));
    for (const t of [...zones, ...objects]) {
      unitCodes.add(t.unitCode);
    }
    return { zones, objects, unitCodes: [...unitCodes].sort() };
  }
}
