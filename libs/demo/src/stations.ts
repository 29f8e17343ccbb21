import { DataSource, EntityManager } from 'typeorm';
import { GEO } from './owners';

/** Fictional demo stations (synthetic = true) in the demo district; thresholds are illustrative, not real. */
export const DEMO_STATIONS = [
  {
    code: 'DEMO-HY-SHIZHI',
    name: '龙河十直水文站（演示）',
    kind: 'river',
    unit: '500230107',
    warningLevel: 238.5,
    guaranteedLevel: 241.0,
    floodLimitLevel: null,
    rain: [],
  },
  {
    code: 'DEMO-SK-SHIZHI',
    name: '十直示例水库（演示）',
    kind: 'reservoir',
    unit: '500230107',
    warningLevel: null,
    guaranteedLevel: 356.2,
    floodLimitLevel: 353.5,
    rain: [],
  },
  {
    code: 'DEMO-YL-SHIZHI',
    name: '十直镇雨量站（演示）',
    kind: 'rain',
    unit: '500230107',
    warningLevel: null,
    guaranteedLevel: null,
    floodLimitLevel: null,
    // The national rainstorm warning-signal criteria (blue 50 mm/12 h … red 100 mm/3 h), shortened to the windows we compute.
    rain: [
      { hours: 24, mm: 50, colour: 'blue' },
      { hours: 3, mm: 50, colour: 'orange' },
      { hours: 3, mm: 100, colour: 'red' },
      { hours: 1, mm: 30, colour: 'yellow' },
    ],
  },
] as const;

/** Adds the demo stations where their unit exists (after the demo district); leaves existing codes alone. */
export async function seedDemoStations(ds: DataSource | EntityManager): Promise<number> {
  const m = ds instanceof DataSource ? ds.manager : ds;
  let added = 0;
  for (const s of DEMO_STATIONS) {
    added += (await GEO.addSyntheticStation(m, s)) ? 1 : 0;
  }
  return added;
}
