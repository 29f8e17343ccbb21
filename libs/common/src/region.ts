/** A unit or division code lies in a caller's region when it starts with the region's code ('500000' = all of Chongqing). */
export function inRegion(code: string, regionCode: string): boolean {
  return regionCode === '500000' || code.startsWith(regionCode);
}
