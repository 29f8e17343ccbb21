/** China keeps one zone, UTC+8, all year (no summer time), so its wall clock is a fixed offset from UTC. */
export const CHINA_OFFSET_MS = 8 * 3600_000;

/** The China wall-clock reading of an instant, ISO without a zone: "2026-07-11T02:04:05". */
export function chinaIso(at: Date | number): string {
  return new Date(Number(at) + CHINA_OFFSET_MS).toISOString().slice(0, 19);
}

/** The China calendar day of an instant: "2026-07-11". */
export const chinaDate = (at: Date | number): string => chinaIso(at).slice(0, 10);

/** "2026-07-11 02:04:05" in China time, as carriers and reports write it. */
export const chinaDateTime = (at: Date | number): string => chinaIso(at).replace('T', ' ');
