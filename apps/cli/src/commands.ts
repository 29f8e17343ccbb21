import { DataSource } from 'typeorm';
import { loadEnv } from '@app/config';
import { dataSourceOptions, issueApiKey, Role } from '@app/database';
import { issueDemoApiKey, seedDemo, seedDemoAccounts } from '@app/demo';

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

/** A demo API key (the same at every start; see issueDemoApiKey). */
export async function ensureDemoApiKey(name: string, role: Role, region: string): Promise<string> {
  const config = loadEnv();
  return withDataSource((ds) => issueDemoApiKey(ds, config.ack.keys[config.ack.currentKid], name, role, region));
}

/** Issues an API key; only its hash is stored, the key is printed once. Re-issuing a name replaces its key. */
export async function createApiKey(name: string, role: Role, region: string): Promise<string> {
  return withDataSource((ds) => issueApiKey(ds, name, role, region));
}
