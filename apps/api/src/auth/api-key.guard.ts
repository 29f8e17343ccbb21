import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ForbiddenError, UnauthorizedError } from '@app/common';
import type { Role } from '@app/database';

export interface Caller {
  name: string;
  role: Role;
  regionCode: string;
}

export const ROLES_KEY = 'roles';
/** Which roles may call a route; admin may call every route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Bearer API keys; only their SHA-256 is stored. Sets request.caller with role and region. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles) {
      return true;
    }
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; caller?: Caller }>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"（缺少 API 密钥）');
    }
    const [key] = await this.dataSource.query<Array<{ name: string; role: Role; region_code: string }>>(
      `SELECT name, role, region_code FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(match[1])],
    );
    if (!key) {
      throw new UnauthorizedError('unknown or revoked API key（API 密钥无效或已吊销）');
    }
    if (key.role !== 'admin' && !roles.includes(key.role)) {
      throw new ForbiddenError(`role ${key.role} may not do this; needs one of ${roles.join(', ')}（权限不足）`);
    }
    req.caller = { name: key.name, role: key.role, regionCode: key.region_code };
    return true;
  }
}
