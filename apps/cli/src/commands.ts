import { DataSource } from 'typeorm';
import { loadEnv } from '@app/config';
import { dataSourceOptions, issueApiKey, Role } from '@app/database';
import { issueDemoApiKey, ProvinceSize, seedDemo, seedDemoAccounts, seedProvince } from '@app/demo';

export async function withDataSource<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource(dataSourceOptions(loadEnv().database.url)).initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

export async function migrate(): Promise<void> {
  await withDataSource(async (ds) => {
    const done = await ds.runMigrations({ transaction: 'each' });
    console.log(`migrations: ${done.length} applied${done.length ? ` (${done.map((m) => m.name).join(', ')})` : ''}`);
  });
}

export async function revert(): Promise<void> {
  await withDataSource(async (ds) => {
    await ds.undoLastMigration({ transaction: 'each' });
    console.log('migrations: last one reverted');
  });
}

export async function seed(force: boolean): Promise<void> {
  await withDataSource(async (ds) => {
    const summary = await seedDemo(ds, { force });
    console.log(`demo district: ${JSON.stringify(summary.counts)}`);
    console.log(`demo accounts added: ${await seedDemoAccounts(ds)}`);
  });
}

const SIZE_OPTIONS: Record<string, keyof ProvinceSize> = {
  counties: 'counties',
  towns: 'towns',
  villages: 'villages',
  persons: 'persons',
  'zones-per-village': 'zonesPerVillage',
};

/** `seed-province [--counties 38] [--towns …] [--villages …] [--persons …] [--zones-per-village 2] [--force]`. */
export function provinceOptions(options: Record<string, string>): Partial<ProvinceSize> | null {
  const size: Partial<ProvinceSize> = {};
  for (const [name, value] of Object.entries(options)) {
    const key = SIZE_OPTIONS[name];
    if (!key || !/^\d+$/.test(value)) {
      return null;
    }
    size[key] = Number(value);
  }
  return size;
}

export async function seedProvinceCommand(size: Partial<ProvinceSize>, force: boolean): Promise<void> {
  await withDataSource(async (ds) => {
    const s = await seedProvince(ds, { size, force });
    console.log(
      `synthetic province (${s.action}, ${(s.elapsedMs / 1000).toFixed(1)} s; steps ms ${JSON.stringify(s.steps)}): ${JSON.stringify(s.counts)}`,
    );
    console.log(
      `county codes: ${s.countyCodes[0]}…${s.countyCodes[s.countyCodes.length - 1]} (a warning with these geocodes covers the province)`,
    );
  });
}

/** A demo API key (the same at every start; see issueDemoApiKey). */
export async function ensureDemoApiKey(name: string, role: Role, region: string): Promise<string> {
  const config = loadEnv();
  return withDataSource((ds) => issueDemoApiKey(ds, config.ack.keys[config.ack.currentKid], name, role, region));
}

/** Issues an API key; only its hash is stored, the key is printed once. Re-issuing a name replaces its key. */
export async function createApiKey(name: string, role: Role, region: string): Promise<string> {
  return withDataSource((ds) => issueApiKey(ds, name, role, region));
}
