import type { RainThreshold } from '@app/database';
import { LEVEL_OF_COLOUR } from '../cap/classify-hazard';
import { Colour } from '../cap/normalized-alert';

export type LevelThreshold = 'flood_limit' | 'warning' | 'guaranteed';

const LEVEL_THRESHOLD_ZH: Record<LevelThreshold, string> = {
  flood_limit: '汛限水位',
  warning: '警戒水位',
  guaranteed: '保证水位',
};

/** A threshold a reading reached: the colour it gives and why, in words a duty officer reads. */
export interface ThresholdHit {
  colour: Colour;
  level: number;
  reason: string;
}

export interface StationLevels {
  warningLevel: number | null;
  guaranteedLevel: number | null;
  floodLimitLevel: number | null;
}

/** The most severe water-level threshold reached (level ≥ threshold), coloured by the configured table. */
export function evaluateWaterLevel(
  station: StationLevels,
  waterLevel: number,
  colours: Record<LevelThreshold, Colour>,
): ThresholdHit | null {
  const candidates: Array<[LevelThreshold, number | null]> = [
    ['flood_limit', station.floodLimitLevel],
    ['warning', station.warningLevel],
    ['guaranteed', station.guaranteedLevel],
  ];
  const hits = candidates
    .filter((c): c is [LevelThreshold, number] => c[1] !== null && waterLevel >= c[1])
    .map(([name, value]) => ({
      colour: colours[name],
      level: LEVEL_OF_COLOUR[colours[name]],
      reason: `水位${fmt(waterLevel)}米，达到${LEVEL_THRESHOLD_ZH[name]}${fmt(value)}米`,
    }));
  return mostSevere(hits);
}

const RAIN_WINDOWS = [1, 3, 24] as const;
export type RainWindow = (typeof RAIN_WINDOWS)[number];

/** Rain (mm) in the 1, 3 and 24 hours up to `at`: readings give the rain of the interval ending at their time. */
export function rainfallTotals(
  readings: Array<{ at: Date; rainfallMm: number }>,
  at: Date,
): Record<RainWindow, number> {
  const totals = { 1: 0, 3: 0, 24: 0 } as Record<RainWindow, number>;
  for (const r of readings) {
    const ageMs = at.getTime() - r.at.getTime();
    for (const hours of RAIN_WINDOWS) {
      if (ageMs >= 0 && ageMs < hours * 3_600_000) {
        totals[hours] += r.rainfallMm;
      }
    }
  }
  for (const hours of RAIN_WINDOWS) {
    totals[hours] = Math.round(totals[hours] * 100) / 100;
  }
  return totals;
}

/** The most severe rainfall threshold reached over its window. */
export function evaluateRain(thresholds: RainThreshold[], totals: Record<RainWindow, number>): ThresholdHit | null {
  const hits = thresholds
    .filter((t) => totals[t.hours] >= t.mm)
    .map((t) => ({
      colour: t.colour,
      level: LEVEL_OF_COLOUR[t.colour],
      reason: `${t.hours}小时降雨量${fmt(totals[t.hours])}毫米，达到${fmt(t.mm)}毫米`,
    }));
  return mostSevere(hits);
}

/** The colour of a forest-fire danger rating (1–5) by the configured table; null below the first signal. */
export function fireRatingHit(rating: number, table: Partial<Record<string, Colour>>): ThresholdHit | null {
  const colour = table[String(rating)];
  return colour ? { colour, level: LEVEL_OF_COLOUR[colour], reason: `森林火险气象等级${rating}级` } : null;
}

function mostSevere(hits: ThresholdHit[]): ThresholdHit | null {
  return hits.reduce<ThresholdHit | null>((best, h) => (best === null || h.level < best.level ? h : best), null);
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}
