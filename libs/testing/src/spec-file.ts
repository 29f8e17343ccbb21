import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LevelTiming = {
  ladder: Array<{ atMin: number; channels: string[] }>;
  tiers: Array<{ ackDeadlineMin: number; reminderIntervalMin?: number }>;
};

/** The default response specs with a run's timing changes, as a temp file for RESPONSE_SPEC_FILE. */
export function specFile(edit: (levels: Record<string, LevelTiming>) => void, tag = 'bench'): string {
  const spec = JSON.parse(readFileSync(join(process.cwd(), 'config/response-specs.default.json'), 'utf8')) as {
    levels: Record<string, LevelTiming>;
  };
  edit(spec.levels);
  const file = join(tmpdir(), `jiaoying-${tag}-spec-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
