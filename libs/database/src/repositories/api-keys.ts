import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '../entities/api-key.entity';

/** A usable (not revoked) key row. */
export interface ActiveApiKey {
  id: string;
  name: string;
  role: Role;
  regionCode: string;
  keyHash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Anything that runs SQL with parameters: a DataSource, an EntityManager or a pg Pool. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A fresh key as handed to a person: `jy_` and 32 random characters. */
const newApiKey = (): string => `jy_${randomBytes(24).toString('base64url')}`;

/**
 * Issues a key: stores only its hash, with a role and a region. Re-issuing a name replaces its key, role and region
 * (so the old key stops working at once) and lifts a revocation, unless `keepRevocation` (the demo's keys: one
 * revoked on purpose stays revoked however often the demo starts). The one writer of api_keys: the CLI, the demo,
 * tests and benchmarks all issue keys here.
 */
export async function issueApiKey(
  db: SqlRunner,
  name: string,
  role: Role,
  region: string,
  key = newApiKey(),
  keepRevocation = false,
): Promise<string> {
  await db.query(
    `INSERT INTO api_keys (name, key_hash, role, region_code) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role,
       region_code = EXCLUDED.region_code, revoked_at = CASE WHEN $5::boolean THEN api_keys.revoked_at END`,
    [name, hashApiKey(key), role, region, keepRevocation],
  );
  return key;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIVE = `SELECT id, name, role, region_code AS "regionCode", key_hash AS "keyHash" FROM api_keys WHERE revoked_at IS NULL`;

/** API keys by the key itself (only its SHA-256 is stored) or by id; revoked keys are never found. */
@Injectable()
export class ApiKeys {
  constructor(private readonly dataSource: DataSource) {}

  async findActiveByKey(key: string): Promise<ActiveApiKey | null> {
    const [row] = await this.dataSource.query<ActiveApiKey[]>(`${ACTIVE} AND key_hash = $1`, [hashApiKey(key)]);
    return row ?? null;
  }

  async findActiveById(id: string): Promise<ActiveApiKey | null> {
    if (!UUID.test(id)) {
      return null;
    }
    const [row] = await this.dataSource.query<ActiveApiKey[]>(`${ACTIVE} AND id = $1::uuid`, [id]);
    return row ?? null;
  }
}
