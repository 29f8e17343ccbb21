import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { loadEnv } from '@app/config';
import { dataSourceOptions } from '@app/database';
import { seedDemoStations } from '@app/alerts';
import { seedDemo } from '@app/demo';

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
    console.log(`demo stations added: ${await seedDemoStations(ds)}`);
  });
}

/** Issues an API key; only its hash is stored, the key is printed once. Re-issuing a name replaces its key. */
export async function createApiKey(name: string, role: string, region: string): Promise<string> {
  const key = `jy_${randomBytes(24).toString('base64url')}`;
  await withDataSource(async (ds) => {
    await ds.query(
      `INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role,
         region_code = EXCLUDED.region_code, revoked_at = NULL`,
      [name, createHash('sha256').update(key).digest('hex'), role, region],
    );
  });
  return key;
}
