import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ForbiddenError } from '@app/common';
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

/** Refuses a role that may not do this; admin may do everything. */
export function assertRole(role: Role, allowed: readonly Role[]): void {
  if (role !== 'admin' && !allowed.includes(role)) {
    throw new ForbiddenError(`role ${role} may not do this; needs one of ${allowed.join(', ')}（权限不足）`, { role, allowed });
  }
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
