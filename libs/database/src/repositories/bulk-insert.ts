import type { EntityManager } from 'typeorm';

export interface Column<T> {
  name: string;
  /** PostgreSQL element type of the parameter array, e.g. 'uuid', 'varchar', 'jsonb', 'date'. */
  type: string;
  value: (row: T) => unknown;
}

const CHUNK = 10_000;

/**
 * Multi-row INSERT … SELECT FROM unnest($1::t1[], $2::t2[], …): one round trip per 10k rows. Called by the
 * repositories only, each for the tables it owns (table-ownership.spec.ts finds the table named here).
 */
export async function insertMany<T>(m: EntityManager, table: string, columns: Column<T>[], rows: T[]): Promise<void> {
  const names = columns.map((c) => c.name).join(', ');
  const params = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const sql = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${params})`;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const slice = rows.slice(start, start + CHUNK);
    await m.query(
      sql,
      columns.map((c) => slice.map((r) => c.value(r))),
    );
  }
}
