import { ApiOnly, startApiOnly } from './api-app';
import { DataSource } from 'typeorm';

export type ApiApp = ApiOnly;

/** The API alone (no workers) on the test database: previews, roster and specs need nothing else. */
export const startApi = (): Promise<ApiApp> => startApiOnly();

export { issueApiKey as issueKey } from '@app/testing';

/** Row counts and a digest of every table, to show that a read changed nothing (the audit of requests aside). */
export async function databaseFingerprint(ds: DataSource): Promise<Record<string, string>> {
  const tables = await ds.query<Array<{ t: string }>>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'spatial_ref_sys', 'request_audit') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [row] = await ds.query<Array<{ d: string }>>(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d FROM "${t}" x`,
    );
    out[t] = row.d;
  }
  return out;
}
