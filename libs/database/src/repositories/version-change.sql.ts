/** What a version of a warning changed against the version before it (null for a first version). */
export type VersionChange = 'upgrade' | 'downgrade' | 'area' | 'update' | 'lift';

/**
 * SQL for the VersionChange of warning row `w`: a Cancel lifts; otherwise the level against the chain's previous
 * non-cancel version (a smaller number is higher), then the area (codes, circles, geometry), else a plain update.
 */
export function versionChangeSql(w: string): string {
  return `(CASE WHEN ${w}.msg_type = 'cancel' THEN 'lift' WHEN ${w}.version = 1 THEN NULL ELSE (
    SELECT CASE WHEN coalesce(${w}.level, 5) < coalesce(pv.level, 5) THEN 'upgrade'
                WHEN coalesce(${w}.level, 5) > coalesce(pv.level, 5) THEN 'downgrade'
                WHEN ${w}.area_codes IS DISTINCT FROM pv.area_codes OR ${w}.area_circles IS DISTINCT FROM pv.area_circles
                  OR ST_AsBinary(${w}.area_geom) IS DISTINCT FROM ST_AsBinary(pv.area_geom) THEN 'area'
                ELSE 'update' END
    FROM warnings pv WHERE pv.chain_id = ${w}.chain_id AND pv.version < ${w}.version AND pv.msg_type <> 'cancel'
    ORDER BY pv.version DESC LIMIT 1) END)`;
}
