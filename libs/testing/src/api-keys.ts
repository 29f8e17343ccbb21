import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Issues (or re-issues) an API key for tests; the key is `test-<name>-key`, stored hashed like real ones. */
export async function issueApiKey(ds: DataSource, name: string, role: string, region: string): Promise<string> {
  const key = `test-${name}-key`;
  await ds.query(
    `INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role, region_code = EXCLUDED.region_code`,
    [name, createHash('sha256').update(key).digest('hex'), role, region],
  );
  return key;
}
