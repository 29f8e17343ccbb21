import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type LevelName = 'red' | 'orange' | 'yellow' | 'blue';
export type EscalationRule = 'backup' | 'contracting_superior' | 'duty_officer' | 'commander';

export interface LadderRung {
  atMin: number;
  channels: string[];
}

export interface LevelSpec {
  requiresAck: boolean;
  ackDeadlineMin: number;
  ladder: LadderRung[];
  /** Role slots called on matched units (towns, villages, their county). */
  unitRoles: string[];
  /** 包干 tiers whose leaders are called for matched units. */
  contracting: Array<'county_town' | 'town_village' | 'village_group'>;
  oneToOne: boolean;
  publicBroadcast: boolean;
}

export interface SpecOverride {
  match: { hazard?: string; level?: LevelName; unitCode?: string };
  set: Partial<LevelSpec>;
}

export interface ResponseSpecs {
  version: number;
  hazardSectors: Record<string, string[]>;
  hazardZoneKinds: Record<string, string[]>;
  hazardObjectTypes: Record<string, string[]>;
  levels: Record<LevelName, LevelSpec>;
  escalation: { steps: EscalationRule[][] };
  overrides: SpecOverride[];
}

/** What one dispatch runs under, frozen into dispatches.spec. Durations already scaled, in ms. */
export interface ResolvedSpec extends LevelSpec {
  specVersion: number;
  level: LevelName;
  hazard: string;
  sectors: string[];
  zoneKinds: string[];
  objectTypes: string[];
  escalationSteps: EscalationRule[][];
  ackDeadlineMs: number;
  ladderMs: Array<{ atMs: number; channels: string[] }>;
}

export const LEVEL_NAMES: LevelName[] = ['red', 'orange', 'yellow', 'blue'];

export function levelName(level: number | null): LevelName {
  return LEVEL_NAMES[(level ?? 4) - 1] ?? 'blue';
}

export function loadResponseSpecs(path: string): ResponseSpecs {
  const specs = JSON.parse(readFileSync(resolve(path), 'utf8')) as ResponseSpecs;
  for (const name of LEVEL_NAMES) {
    const level = specs.levels?.[name];
    if (!level || !Array.isArray(level.ladder) || level.ladder.length === 0 || level.ladder.length > 8) {
      throw new Error(`response spec ${path}: levels.${name} needs a ladder of 1 to 8 rungs`);
    }
  }
  return specs;
}

/** Picks the level's spec, applies overrides (later, more specific ones win) and scales times. */
export function resolveSpec(
  specs: ResponseSpecs,
  hazard: string,
  level: number | null,
  unitCodes: string[],
  timerScale: number,
): ResolvedSpec {
  const name = levelName(level);
  let spec: LevelSpec = { ...specs.levels[name] };
  for (const o of specs.overrides) {
    const hazardOk = !o.match.hazard || o.match.hazard === hazard;
    const levelOk = !o.match.level || o.match.level === name;
    const unitOk = !o.match.unitCode || unitCodes.some((c) => c.startsWith(o.match.unitCode as string));
    if (hazardOk && levelOk && unitOk) {
      spec = { ...spec, ...o.set };
    }
  }
  const minutes = (m: number) => Math.round(m * 60_000 * timerScale);
  return {
    ...spec,
    specVersion: specs.version,
    level: name,
    hazard,
    sectors: specs.hazardSectors[hazard] ?? specs.hazardSectors.other ?? [],
    zoneKinds: specs.hazardZoneKinds[hazard] ?? [],
    objectTypes: specs.hazardObjectTypes[hazard] ?? [],
    escalationSteps: specs.escalation.steps,
    ackDeadlineMs: minutes(spec.ackDeadlineMin),
    ladderMs: spec.ladder.map((r) => ({ atMs: minutes(r.atMin), channels: r.channels })),
  };
}
