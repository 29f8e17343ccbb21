import type { MatchChunk } from '@app/database';
import type { AreaMatch } from './area-matcher';

/** The county (6-digit division code) a unit code lies in. */
export const countyOf = (unitCode: string): string => unitCode.slice(0, 6);

/**
 * The matched targets split by county: zones and objects by their unit's county, towns and villages by their own.
 * Counties in code order; a person's chunk is the first county of their reasons (firstCounties), so the order matters.
 */
export function splitByCounty(match: AreaMatch): MatchChunk<AreaMatch>[] {
  const chunks = new Map<string, AreaMatch>();
  const of = (unitCode: string): AreaMatch => {
    const county = countyOf(unitCode);
    let chunk = chunks.get(county);
    if (!chunk) {
      chunk = { zones: [], objects: [], unitCodes: [] };
      chunks.set(county, chunk);
    }
    return chunk;
  };
  match.zones.forEach((z) => of(z.unitCode).zones.push(z));
  match.objects.forEach((o) => of(o.unitCode).objects.push(o));
  match.unitCodes.forEach((u) => of(u).unitCodes.push(u));
  return [...chunks.keys()].sort().map((county) => ({ county, targets: chunks.get(county) as AreaMatch }));
}

/** The targets of every chunk but one, as one match. */
export const otherCounties = (chunks: MatchChunk<AreaMatch>[], county: string): AreaMatch =>
  mergeTargets(chunks.filter((c) => c.county !== county));

/** The targets of these chunks as one match. */
export function mergeTargets(chunks: MatchChunk<AreaMatch>[]): AreaMatch {
  const others = chunks.map((c) => c.targets);
  return {
    zones: others.flatMap((t) => t.zones),
    objects: others.flatMap((t) => t.objects),
    unitCodes: others.flatMap((t) => t.unitCodes),
  };
}
