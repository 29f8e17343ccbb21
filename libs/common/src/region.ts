/** A unit or division code lies in a caller's region when it starts with the region's code ('500000' = all of Chongqing). */
export function inRegion(code: string, regionCode: string): boolean {
  return regionCode === '500000' || code.startsWith(regionCode);
}

/** How the audit log names a caller: its own `actor` when it has one (people: `user:<login>`), else `api-key:<name>`. */
export function actorOf(caller: { name: string; actor?: string }): string {
  return caller.actor ?? `api-key:${caller.name}`;
}
