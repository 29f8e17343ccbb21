import { defaultHazardTables, HazardTables } from './hazard-tables';
import { NormalizeContext } from './normalize-cap';

/** Options shared by parseCap and capFromJson. */
export interface CapOptions {
  /** Hazard/colour tables; default: config/hazard-map.json, loaded once. */
  tables?: HazardTables;
  /** "Now" for the plausibility checks on timestamps; default: the system clock. */
  now?: Date;
}

export function contextFrom(opts: CapOptions): NormalizeContext {
  return { tables: opts.tables ?? defaultHazardTables(), now: opts.now ?? new Date() };
}
