import { COLOURS, HazardTables, normKey } from './hazard-tables';
import { Colour, NameValue } from './normalized-alert';

export const OTHER_HAZARD = 'other';
/** 1 = red (most severe) … 4 = blue. */
export const LEVEL_OF_COLOUR: Record<Colour, number> = { red: 1, orange: 2, yellow: 3, blue: 4 };

/** Our hazard code: an eventCode listed in the tables first, else the longest keyword found in the event text. */
export function classifyHazard(event: string, eventCodes: NameValue[], tables: HazardTables): string {
  const codes = new Set(eventCodes.map((c) => `${normKey(c.valueName)}:${normKey(c.value)}`));
  const byCode = tables.hazards.find((h) => (h.eventCodes ?? []).some((c) => codes.has(eventCodeKey(c))));
  if (byCode) {
    return byCode.code;
  }
  const text = normKey(event);
  let best: { code: string; length: number } | null = null;
  for (const hazard of tables.hazards) {
    for (const keyword of hazard.keywords) {
      const k = normKey(keyword);
      if (k !== '' && (best === null || k.length > best.length) && containsKeyword(text, k)) {
        best = { code: hazard.code, length: k.length };
      }
    }
  }
  return best?.code ?? OTHER_HAZARD;
}

/**
 * The warning colour, from the first source that says: a level parameter (预警级别 = 红色 / Ⅰ / 1 …), then a
 * colour word in the event text (the most severe one if several), then the CAP severity. Null when none says.
 */
export function classifyColour(
  parameters: NameValue[],
  event: string,
  severity: string,
  tables: HazardTables,
): Colour | null {
  const names = new Set(tables.levelParameterNames.map(normKey));
  for (const p of parameters) {
    if (names.has(normKey(p.valueName))) {
      const value = levelKey(p.value);
      const colour = COLOURS.find((c) => tables.levelValues[c].some((v) => levelKey(v) === value));
      if (colour) {
        return colour;
      }
    }
  }
  const text = normKey(event);
  const inEvent = COLOURS.find((c) => tables.eventColourWords[c].some((w) => w !== '' && text.includes(normKey(w))));
  if (inEvent) {
    return inEvent;
  }
  return tables.severityColours[severity] ?? null;
}

function eventCodeKey(entry: string): string {
  const at = entry.lastIndexOf(':');
  return at < 0 ? normKey(entry) : `${normKey(entry.slice(0, at))}:${normKey(entry.slice(at + 1))}`;
}

/** "Ⅰ级" → "i", "红色预警" → "红色", " Red " → "red". */
function levelKey(s: string): string {
  return normKey(s).replace(/(级|級)?(预警|預警)?(信号|信號)?$/u, '');
}

/** CJK keywords match as substrings; Latin ones only as whole words ("Fire" is not in "Fireworks"). */
function containsKeyword(text: string, keyword: string): boolean {
  if (!/^[\x20-\x7e]+$/.test(keyword)) {
    return text.includes(keyword);
  }
  const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(text);
}
