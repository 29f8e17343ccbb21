/**
 * SQL: warning `w` is visible to a caller of region `$n`: '500000' sees all; otherwise its area names a unit in the
 * region (or the region lies in its area), or someone in the region was called for it.
 */
export function inRegionSql(w: string, param: string): string {
  return `(${param} = '500000'
    OR EXISTS (SELECT 1 FROM unnest(${w}.area_codes) c WHERE c LIKE ${param} || '%' OR ${param} LIKE c || '%')
    OR EXISTS (SELECT 1 FROM call_tasks rt JOIN persons rp ON rp.id = rt.person_id
               WHERE rt.warning_id = ${w}.id AND rp.admin_unit_code LIKE ${param} || '%'))`;
}

/** SQL: the admin unit code `column` lies in the region `$n` ('500000' holds every code). */
export function codeInRegionSql(column: string, param: string): string {
  return `(${param} = '500000' OR ${column} LIKE ${param} || '%')`;
}
