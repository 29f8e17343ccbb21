import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Connections kept open while idle: enough for a small warning's matching, planning and sends. */
export const warmConnections = (poolMax: number) => Math.min(4, poolMax);

/** One definition for the app, the CLI and the tests. Never synchronize: migrations only. */
export function dataSourceOptions(url: string, poolMax = 18): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    // force_custom_plan: PostgreSQL caches each connection's foreign-key check plans (SPI) and after five uses keeps
    // a generic one. Planned while call_tasks was a page or two (a fresh system, the first small warnings) that plan
    // is a sequential scan, kept until the next ANALYZE: the first big fan-out then scanned call_tasks once per
    // attempt and short link (3.3-4.2 s of a 10,000-person matching transaction, measured with auto_explain).
    // Custom plans cost about 9 µs more per checked row and always see the table's current size.
    // min: a few connections stay open when idle (pg closes the rest after 10 s), so a quiet system's next alert
    // does not wait for PostgreSQL to start a backend; PoolWarmup opens them at boot.
    extra: {
      max: poolMax,
      min: warmConnections(poolMax),
      connectionTimeoutMillis: 5_000,
      options: '-c plan_cache_mode=force_custom_plan',
    },
  };
}

/** For the TypeORM CLI (`-d dist/libs/database/src/data-source.js`). */
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying'),
);
