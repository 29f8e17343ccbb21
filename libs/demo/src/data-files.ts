import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `libs/demo/data` of the repository: walk up from this file to the folder holding package.json, so it
 * works from the .ts sources (jest) and from compiled JS under dist/.
 */
export function demoDataDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      return join(dir, 'libs', 'demo', 'data');
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`demo data: no package.json above ${from}`);
    }
    dir = parent;
  }
}

export const DIVISIONS_FILE = 'tongliang_fengdu_admin_divisions.csv';

/** County code → its DataV outline file (GCJ-02). */
export const OUTLINE_FILES: Record<string, string> = {
  '500151': 'tongliang_500151_datav_gcj02.json',
  '500230': 'fengdu_500230_datav_gcj02.json',
};

export function readDataFile(name: string, dir: string = demoDataDir()): string {
  return readFileSync(join(dir, name), 'utf8');
}
