import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '@app/common';
import { ApiKeys, assertRole } from '@app/database';
import type { Role } from '@app/database';

export interface Caller {
  name: string;
  role: Role;
  regionCode: string;
}

export const ROLES_KEY = 'roles';
/** Which roles may call a route; admin may call every route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The roles a route was given with @Roles, or undefined when it needs no caller. */
export function rolesOf(reflector: Reflector, context: ExecutionContext): Role[] | undefined {
  return reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
}

/** Bearer API keys; only their SHA-256 is stored. Sets request.caller with role and region. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = rolesOf(this.reflector, context);
    if (!roles) {
      return true;
    }
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; caller?: Caller }>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"（缺少 API 密钥）');
    }
    const key = await this.apiKeys.findActiveByKey(match[1]);
    if (!key) {
      throw new UnauthorizedError('unknown or revoked API key（API 密钥无效或已吊销）');
    }
    assertRole(key.role, roles);
    req.caller = { name: key.name, role: key.role, regionCode: key.regionCode };
    return true;
  }
}
