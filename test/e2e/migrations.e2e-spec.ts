import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ENTITIES } from '@app/database';

const URL_ = (process.env.DATABASE_URL as string).replace(/\/[^/]+$/, '/jiaoying_test_migrations');

/** Migrations up and down on an empty database, and the entities agree with what the migrations built. */
describe('migrations', () => {
  let ds: DataSource;

  beforeAll(async () => {
    const admin = new Client({ connectionString: URL_.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS jiaoying_test_migrations');
    await admin.query('CREATE DATABASE jiaoying_test_migrations');
    await admin.end();
    ds = await new DataSource(dataSourceOptions(URL_)).initialize();
  });

  afterAll(async () => {
    await ds.destroy();
  });

  const tables = async () =>
    (
      await ds.query<
        Array<{
          table_name: string;
        }>
      >(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
    )
      .map((t) => t.table_name)
      .filter((t) => t !== 'spatial_ref_sys')
      .sort();

  it('goes up, every entity column exists with its nullability, and goes all the way down again', async () => {
    const applied = await ds.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual(expect.arrayContaining(ENTITIES.map((e) => ds.getMetadata(e).tableName)));

    for (const entity of ENTITIES) {
      const meta = ds.getMetadata(entity);
      const columns = await ds.query<Array<{ column_name: string; is_nullable: string }>>(
        `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [meta.tableName],
      );
      for (const column of meta.columns) {
        const found = columns.find((c) => c.column_name === column.databaseName);
        expect({ table: meta.tableName, column: column.databaseName, exists: !!found }).toEqual({
          table: meta.tableName,
          column: column.databaseName,
          exists: true,
        });
        expect({ column: `${meta.tableName}.${column.databaseName}`, nullable: found?.is_nullable === 'YES' }).toEqual({
          column: `${meta.tableName}.${column.databaseName}`,
          nullable: column.isNullable,
        });
      }
    }

    for (let i = 0; i < applied.length; i++) {
      await ds.undoLastMigration();
    }
    expect(await tables()).toEqual(['typeorm_migrations']);
    expect((await ds.runMigrations()).length).toBe(applied.length);
  });

  it('keeps the event log append-only and hashes each row', async () => {
    await ds.query(`INSERT INTO events (type, at) VALUES ('A', now()), ('B', now())`);
    const rows = await ds.query<Array<{ hash: string }>>(`SELECT hash FROM events ORDER BY id`);
    expect(rows.map((r) => r.hash)).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}$/),
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
    await expect(ds.query(`UPDATE events SET type = 'X'`)).rejects.toThrow('append-only');
    await expect(ds.query(`DELETE FROM events`)).rejects.toThrow('append-only');
  });
});
