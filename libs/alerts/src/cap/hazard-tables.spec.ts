import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHazardTables, loadHazardTables } from './hazard-tables';

describe('loadHazardTables', () => {
  it('loads config/hazard-map.json from the working directory by default, once', () => {
    const cwd = process.cwd();
    process.chdir(join(__dirname, '../../../..'));
    try {
      const tables = loadHazardTables();
      expect(tables.hazards.map((h) => h.code)).toEqual([
        'rainstorm',
        'thunder',
        'gale',
        'heat',
        'forest_fire',
        'geo_hazard',
        'flash_flood',
        'flood',
        'reservoir',
        'earthquake',
      ]);
      expect(defaultHazardTables()).toBe(defaultHazardTables());
    } finally {
      process.chdir(cwd);
    }
  });

  it('says which file is missing or malformed, and what is wrong with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hazard-'));
    expect(() => loadHazardTables(join(dir, 'none.json'))).toThrow(/cannot read hazard tables .*none\.json/);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ hazards: [{ code: 'x' }], levelValues: { red: [] }, severityColours: { Extreme: 'crimson' } }),
    );
    expect(() => loadHazardTables(bad)).toThrow(
      /hazards\[0\] needs a code and keywords.*levelParameterNames must be an array.*levelValues must list strings.*severityColours must map/,
    );
  });
});
