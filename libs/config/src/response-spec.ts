import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { isLevelName, LEVEL_NAMES, LevelName, levelName } from './words';

export type EscalationRule = 'backup' | 'contracting_superior' | 'same_role_up' | 'duty_officer' | 'commander';
export type ContractingLevel = 'county_town' | 'town_village' | 'village_group';

const ESCALATION_RULES: EscalationRule[] = [
  'backup',
  'contracting_superior',
  'same_role_up',
  'duty_officer',
  'commander',
];
export const CONTRACTING_LEVELS: ContractingLevel[] = ['county_town', 'town_village', 'village_group'];

export interface LadderRung {
  atMin: number;
  channels: string[];
}

/**
 * Who a tier calls at T0: role slots per kind of target ('*' = every slot), the 包干 leaders of the matched
 * units, and the one-to-one callers of vulnerable residents in matched zones.
 */
export interface TierCall {
  zone?: string[];
  object?: string[];
  county?: string[];
  town?: string[];
  village?: string[];
  contracting?: ContractingLevel[];
  oneToOne?: boolean;
}

/** Tier n: people called at T0 by `call`, and people reached by the n-th escalation. */
export interface TierSpec {
  name: string;
  ackDeadlineMin: number;
  /** Defaults to the level's ladder. */
  ladder?: LadderRung[];
  /** Defaults to the level's requiresAck (false = notify-only for this tier). */
  requiresAck?: boolean;
  /** How often a call of this tier still unanswered after its deadline is made again; defaults to ackDeadlineMin. */
  reminderIntervalMin?: number;
  call?: TierCall;
}

export interface LevelSpec {
  /** false = notify-only (blue, advisories): sent, never waited for. */
  requiresAck: boolean;
  ladder: LadderRung[];
  tiers: TierSpec[];
  /** Residents' public broadcast (loudspeakers, area SMS) goes out, not gated on answers. */
  publicBroadcast: boolean;
}

export interface SpecOverride {
  /** Every given key must match; unitCode matches when the whole matched area lies under it (一乡镇一方案). */
  match: { hazard?: string; sector?: string; level?: LevelName; unitCode?: string };
  set: Partial<LevelSpec>;
}

/** Role slots every target should have filled (roster fitness). */
export interface RosterRequirements {
  zone: string[];
  object: string[];
  town: string[];
  village: string[];
}

export interface ResponseSpecs {
  version: number;
  hazardSectors: Record<string, string[]>;
  hazardZoneKinds: Record<string, string[]>;
  hazardObjectTypes: Record<string, string[]>;
  levels: Record<LevelName, LevelSpec>;
  escalation: { steps: EscalationRule[][] };
  overrides: SpecOverride[];
  rosterRequirements?: RosterRequirements;
}

export interface ResolvedTier {
  tier: number;
  name: string;
  requiresAck: boolean;
  ackDeadlineMin: number;
  ackDeadlineMs: number;
  /** Scaled; absent in specs frozen before reminders existed (then the tier's deadline). */
  reminderIntervalMs?: number;
  ladder: LadderRung[];
  ladderMs: Array<{ atMs: number; channels: string[] }>;
  call: Required<TierCall>;
}

/** What one dispatch runs under, frozen into dispatches.spec. Top-level timing is tier 0's, in ms, already scaled. */
export interface ResolvedSpec {
  specVersion: number;
  level: LevelName;
  hazard: string;
  sectors: string[];
  zoneKinds: string[];
  objectTypes: string[];
  requiresAck: boolean;
  publicBroadcast: boolean;
  ackDeadlineMin: number;
  ackDeadlineMs: number;
  ladder: LadderRung[];
  ladderMs: Array<{ atMs: number; channels: string[] }>;
  tiers: ResolvedTier[];
  escalationSteps: EscalationRule[][];
  /** Overrides that applied, by index, for the audit trail. */
  overridesApplied: number[];
}

export const DEFAULT_ROSTER_REQUIREMENTS: RosterRequirements = {
  zone: ['admin', 'patrol'],
  object: ['admin', 'technical', 'patrol'],
  town: ['duty_officer', 'admin'],
  village: ['admin', 'grid_worker'],
};

class InvalidResponseSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid response spec: ${problems.join('; ')}`);
  }
}

export function loadResponseSpecs(path: string): ResponseSpecs {
  const specs = JSON.parse(readFileSync(resolve(path), 'utf8')) as unknown;
  const problems = validateResponseSpecs(specs);
  if (problems.length > 0) {
    throw new InvalidResponseSpecError(problems.map((p) => `${path}: ${p}`));
  }
  return specs as ResponseSpecs;
}

/** The tier a task of tier n runs under: tiers past the configured list use the last one. */
export function tierSpec(spec: Pick<ResolvedSpec, 'tiers'>, tier: number): ResolvedTier {
  return spec.tiers[Math.min(Math.max(tier, 0), spec.tiers.length - 1)];
}

/**
 * Picks the level's spec for the hazard, applies matching overrides in order (later ones win) and scales times.
 * `unitCodes` are the units the warning's area reaches; a unitCode override applies only when all of them lie under it.
 */
export function resolveSpec(
  specs: ResponseSpecs,
  hazard: string,
  level: number | null,
  unitCodes: string[],
  timerScale: number,
): ResolvedSpec {
  const name = levelName(level);
  const sectors = specs.hazardSectors[hazard] ?? specs.hazardSectors.other ?? [];
  let spec: LevelSpec = { ...specs.levels[name] };
  const applied: number[] = [];
  specs.overrides.forEach((o, i) => {
    const m = o.match;
    const ok =
      (!m.hazard || m.hazard === hazard) &&
      (!m.sector || sectors.includes(m.sector)) &&
      (!m.level || m.level === name) &&
      (!m.unitCode || (unitCodes.length > 0 && unitCodes.every((c) => c.startsWith(m.unitCode as string))));
    if (ok) {
      spec = { ...spec, ...o.set };
      applied.push(i);
    }
  });
  const minutes = (m: number) => Math.round(m * 60_000 * timerScale);
  const scaleLadder = (ladder: LadderRung[]) => ladder.map((r) => ({ atMs: minutes(r.atMin), channels: r.channels }));
  const tiers: ResolvedTier[] = spec.tiers.map((t, tier) => {
    const ladder = t.ladder ?? spec.ladder;
    return {
      tier,
      name: t.name,
      requiresAck: spec.requiresAck && (t.requiresAck ?? true),
      ackDeadlineMin: t.ackDeadlineMin,
      ackDeadlineMs: minutes(t.ackDeadlineMin),
      reminderIntervalMs: minutes(t.reminderIntervalMin ?? t.ackDeadlineMin),
      ladder,
      ladderMs: scaleLadder(ladder),
      call: {
        zone: t.call?.zone ?? [],
        object: t.call?.object ?? [],
        county: t.call?.county ?? [],
        town: t.call?.town ?? [],
        village: t.call?.village ?? [],
        contracting: t.call?.contracting ?? [],
        oneToOne: t.call?.oneToOne ?? false,
      },
    };
  });
  const first = tiers[0];
  return {
    specVersion: specs.version,
    level: name,
    hazard,
    sectors,
    zoneKinds: specs.hazardZoneKinds[hazard] ?? specs.hazardZoneKinds.other ?? [],
    objectTypes: specs.hazardObjectTypes[hazard] ?? specs.hazardObjectTypes.other ?? [],
    requiresAck: first.requiresAck,
    publicBroadcast: spec.publicBroadcast,
    ackDeadlineMin: first.ackDeadlineMin,
    ackDeadlineMs: first.ackDeadlineMs,
    ladder: first.ladder,
    ladderMs: first.ladderMs,
    tiers,
    escalationSteps: specs.escalation.steps,
    overridesApplied: applied,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);
const isMinutes = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 7 * 24 * 60;

function ladderProblems(ladder: unknown, at: string): string[] {
  if (!Array.isArray(ladder) || ladder.length === 0 || ladder.length > 8) {
    return [`${at} needs a ladder of 1 to 8 rungs`];
  }
  const problems: string[] = [];
  let previous = -1;
  ladder.forEach((rung: unknown, i) => {
    if (!isObject(rung) || !isMinutes(rung.atMin) || !isStringArray(rung.channels) || rung.channels.length === 0) {
      problems.push(`${at}[${i}] needs atMin (minutes ≥ 0) and a non-empty channels list`);
      return;
    }
    if (i === 0 && rung.atMin !== 0) {
      problems.push(`${at}[0].atMin must be 0 (the first rung goes out at once)`);
    }
    if (rung.atMin <= previous) {
      problems.push(`${at}[${i}].atMin must be later than the rung before`);
    }
    previous = rung.atMin;
  });
  return problems;
}

function tierProblems(tiers: unknown, at: string): string[] {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    return [`${at} needs at least one tier (tier 0 = who is called at once)`];
  }
  const problems: string[] = [];
  tiers.forEach((t: unknown, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(t) || typeof t.name !== 'string' || !isMinutes(t.ackDeadlineMin)) {
      problems.push(`${here} needs a name and ackDeadlineMin (minutes)`);
      return;
    }
    if (t.ladder !== undefined) {
      problems.push(...ladderProblems(t.ladder, `${here}.ladder`));
    }
    if (t.reminderIntervalMin !== undefined && (!isMinutes(t.reminderIntervalMin) || t.reminderIntervalMin <= 0)) {
      problems.push(`${here}.reminderIntervalMin must be a number of minutes above 0`);
    }
    if (t.requiresAck !== undefined && typeof t.requiresAck !== 'boolean') {
      problems.push(`${here}.requiresAck must be true or false`);
    }
    if (t.call !== undefined) {
      if (!isObject(t.call)) {
        problems.push(`${here}.call must be an object`);
        return;
      }
      for (const key of ['zone', 'object', 'county', 'town', 'village'] as const) {
        if (t.call[key] !== undefined && !isStringArray(t.call[key])) {
          problems.push(`${here}.call.${key} must be a list of role slots`);
        }
      }
      const c = t.call.contracting;
      if (c !== undefined && !(isStringArray(c) && c.every((l) => (CONTRACTING_LEVELS as string[]).includes(l)))) {
        problems.push(`${here}.call.contracting must list ${CONTRACTING_LEVELS.join(', ')}`);
      }
      if (t.call.oneToOne !== undefined && typeof t.call.oneToOne !== 'boolean') {
        problems.push(`${here}.call.oneToOne must be true or false`);
      }
    }
  });
  return problems;
}

function levelProblems(level: unknown, at: string, partial: boolean): string[] {
  if (!isObject(level)) {
    return [`${at} must be an object`];
  }
  const problems: string[] = [];
  if ((!partial || level.requiresAck !== undefined) && typeof level.requiresAck !== 'boolean') {
    problems.push(`${at}.requiresAck must be true or false`);
  }
  if ((!partial || level.publicBroadcast !== undefined) && typeof level.publicBroadcast !== 'boolean') {
    problems.push(`${at}.publicBroadcast must be true or false`);
  }
  if (!partial || level.ladder !== undefined) {
    problems.push(...ladderProblems(level.ladder, `${at}.ladder`));
  }
  if (!partial || level.tiers !== undefined) {
    problems.push(...tierProblems(level.tiers, `${at}.tiers`));
  }
  return problems;
}

function tableProblems(specs: Record<string, unknown>, key: string): string[] {
  const table = specs[key];
  if (!isObject(table) || !Object.values(table).every(isStringArrayOrEmpty)) {
    return [`${key} must map each hazard type to a list`];
  }
  return [];
}

const isStringArrayOrEmpty = (v: unknown) => Array.isArray(v) && (v.length === 0 || isStringArray(v));

/** Every problem in a candidate spec document, as "path: what is wrong"; empty when usable. Pure. */
export function validateResponseSpecs(doc: unknown): string[] {
  if (!isObject(doc)) {
    return ['the spec must be a JSON object'];
  }
  const problems = ['hazardSectors', 'hazardZoneKinds', 'hazardObjectTypes'].flatMap((k) => tableProblems(doc, k));
  if (!isObject(doc.levels)) {
    problems.push('levels must have red, orange, yellow and blue');
  } else {
    for (const name of LEVEL_NAMES) {
      problems.push(...levelProblems(doc.levels[name], `levels.${name}`, false));
    }
  }
  const steps = isObject(doc.escalation) ? doc.escalation.steps : undefined;
  if (
    !Array.isArray(steps) ||
    !steps.every((s) => isStringArray(s) && s.every((r) => (ESCALATION_RULES as string[]).includes(r)))
  ) {
    problems.push(`escalation.steps must be a list of steps, each a list of ${ESCALATION_RULES.join(', ')}`);
  }
  if (!Array.isArray(doc.overrides)) {
    problems.push('overrides must be a list (may be empty)');
  } else {
    doc.overrides.forEach((o: unknown, i) => {
      if (!isObject(o) || !isObject(o.match) || !isObject(o.set)) {
        problems.push(`overrides[${i}] needs match and set objects`);
        return;
      }
      const { level, unitCode } = o.match;
      if (level !== undefined && !isLevelName(level)) {
        problems.push(`overrides[${i}].match.level must be one of ${LEVEL_NAMES.join(', ')}`);
      }
      if (unitCode !== undefined && !(typeof unitCode === 'string' && /^\d{6}(\d{3}){0,2}$/.test(unitCode))) {
        problems.push(`overrides[${i}].match.unitCode must be a 6, 9 or 12 digit division code`);
      }
      problems.push(...levelProblems(o.set, `overrides[${i}].set`, true));
    });
  }
  if (doc.rosterRequirements !== undefined) {
    const r = doc.rosterRequirements;
    if (
      !isObject(r) ||
      !['zone', 'object', 'town', 'village'].every((k) => r[k] === undefined || isStringArray(r[k]))
    ) {
      problems.push('rosterRequirements must list role slots for zone, object, town and village');
    }
  }
  return problems;
}
