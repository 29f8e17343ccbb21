import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LEVEL_NAMES } from '@app/config';
import { Colour } from './normalized-alert';

/** The editable tables (config/hazard-map.json) that turn CAP wording into our hazard codes and colours. */
export interface HazardTables {
  /** Tried in order; the longest keyword found in `event` wins, ties go to the earlier hazard. */
  hazards: Array<{
    code: string;
    /** Matched case-insensitively: CJK as substrings, Latin words on word boundaries. */
    keywords: string[];
    /** `valueName:value`, e.g. `SAME:FFW`; checked before the event text. */
    eventCodes?: string[];
  }>;
  /** Parameter valueNames that carry the warning level or colour (case-insensitive). */
  levelParameterNames: string[];
  /** Parameter values per colour: 红色, red, Ⅰ, I, 1 … (a trailing 级/预警 is ignored). */
  levelValues: Record<Colour, string[]>;
  /** Words in the event text that name a colour (红色 …). */
  eventColourWords: Record<Colour, string[]>;
  /** CAP severity → colour; severities not listed (Unknown) give no colour. */
  severityColours: Partial<Record<string, Colour>>;
  /** Geocode valueNames that are Chinese division codes (GB/T 2260 and the 9/12-digit town/village codes). */
  divisionGeocodeNames: string[];
  /** Geocode valueNames that are never division codes even when all digits (SAME, FIPS6 …). */
  otherGeocodeNames: string[];
}

export const COLOURS: readonly Colour[] = LEVEL_NAMES;
export const DEFAULT_HAZARD_TABLES_PATH = 'config/hazard-map.json';

/** Reads and checks the tables; a path is resolved from the working directory. Throws a plain Error on bad config. */
export function loadHazardTables(path: string = DEFAULT_HAZARD_TABLES_PATH): HazardTables {
  const file = resolve(process.cwd(), path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read hazard tables ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const problems = checkTables(data);
  if (problems.length > 0) {
    throw new Error(`hazard tables ${file} are invalid: ${problems.join('; ')}`);
  }
  return data as HazardTables;
}

let cached: HazardTables | undefined;

/** The default tables, loaded on first use and kept. */
export function defaultHazardTables(): HazardTables {
  cached ??= loadHazardTables();
  return cached;
}

/** Case- and width-insensitive form used on both sides of every table lookup (Ⅳ → iv, ＲＥＤ → red). */
export function normKey(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

function checkTables(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(data)) {
    return ['not a JSON object'];
  }
  if (!Array.isArray(data.hazards) || data.hazards.length === 0) {
    problems.push('hazards must be a non-empty array');
  } else {
    (data.hazards as unknown[]).forEach((h, i) => {
      if (!isObj(h) || typeof h.code !== 'string' || h.code === '' || !isStrings(h.keywords)) {
        problems.push(`hazards[${i}] needs a code and keywords (strings)`);
      } else if (h.eventCodes !== undefined && !isStrings(h.eventCodes)) {
        problems.push(`hazards[${i}].eventCodes must be strings`);
      }
    });
  }
  for (const key of ['levelParameterNames', 'divisionGeocodeNames', 'otherGeocodeNames']) {
    if (!isStrings(data[key])) {
      problems.push(`${key} must be an array of strings`);
    }
  }
  for (const key of ['levelValues', 'eventColourWords']) {
    const byColour = data[key];
    if (!isObj(byColour) || !COLOURS.every((c) => isStrings(byColour[c]))) {
      problems.push(`${key} must list strings for each of ${COLOURS.join(', ')}`);
    }
  }
  const sev = data.severityColours;
  if (!isObj(sev) || !Object.values(sev).every((c) => COLOURS.includes(c as Colour))) {
    problems.push(`severityColours must map severities to one of ${COLOURS.join(', ')}`);
  }
  return problems;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}
