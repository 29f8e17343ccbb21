import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COLOURS } from '../cap/hazard-tables';
import { Colour } from '../cap/normalized-alert';
import { LevelThreshold } from './thresholds';

/** config/sensors.json: which colour each threshold gives, how long a sensor warning lasts, who sends it. */
export interface SensorConfig {
  levelColours: Record<LevelThreshold, Colour>;
  /** Forest-fire danger rating (1–5) → colour; ratings not listed raise nothing. */
  fireRatingColours: Partial<Record<string, Colour>>;
  warningHours: { level: number; rain: number };
  sender: string;
  senderName: string;
}

const DEFAULT_SENSORS_PATH = 'config/sensors.json';

let cached: SensorConfig | undefined;

/** Loaded once from the working directory; a bad file is a startup error naming the field. */
export function sensorConfig(path: string = DEFAULT_SENSORS_PATH): SensorConfig {
  if (cached && path === DEFAULT_SENSORS_PATH) {
    return cached;
  }
  const file = resolve(process.cwd(), path);
  const data = JSON.parse(readFileSync(file, 'utf8')) as SensorConfig;
  const colour = (c: unknown) => COLOURS.includes(c as Colour);
  const problems = [
    ...(['flood_limit', 'warning', 'guaranteed'] as const)
      .filter((k) => !colour(data.levelColours?.[k]))
      .map((k) => `levelColours.${k}`),
    ...Object.entries(data.fireRatingColours ?? {})
      .filter(([k, c]) => !/^[1-5]$/.test(k) || !colour(c))
      .map(([k]) => `fireRatingColours.${k}`),
    ...(['level', 'rain'] as const)
      .filter((k) => !(Number(data.warningHours?.[k]) > 0))
      .map((k) => `warningHours.${k}`),
    ...(typeof data.sender === 'string' && /^[^\s,]+$/.test(data.sender) ? [] : ['sender']),
  ];
  if (problems.length > 0) {
    throw new Error(`sensor config ${file} is invalid: ${problems.join(', ')}`);
  }
  if (path === DEFAULT_SENSORS_PATH) {
    cached = data;
  }
  return data;
}
