import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Caller, CallerRole, CSRF_HEADER, LiveSession, mayCall, SESSION_COOKIE, SessionsService } from '@app/accounts';
import { ForbiddenError, UnauthorizedError } from '@app/common';
import { ApiKeys } from '@app/database';
import { cookieValue } from './cookies';

export type { Caller } from '@app/accounts';

export const ROLES_KEY = 'roles';
/** Which roles may call a route; admin may call every route (see mayCall for shift leaders and viewers). */
export const Roles = (...roles: CallerRole[]) => SetMetadata(ROLES_KEY, roles);

/** The roles a route was given with @Roles, or undefined when it needs no caller. */
export function rolesOf(reflector: Reflector, context: ExecutionContext): CallerRole[] | undefined {
  return reflector.getAllAndOverride<CallerRole[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type CallerRequest = Request & { caller?: Caller; session?: LiveSession };

/** Refuses a role that may not call this route, in the words the API uses everywhere. */
export function assertMayCall(role: CallerRole, allowed: readonly CallerRole[], method: string): void {
  if (!mayCall(role, allowed, method)) {
    throw new ForbiddenError(`role ${role} may not do this; needs one of ${allowed.join(', ')}（权限不足）`, {
      role,
      allowed,
    });
  }
}

/**
 * One guard for machines and people: a Bearer API key (only its SHA-256 is stored), or the console's session cookie
 * (jy_session) with its CSRF token in X-CSRF-Token on every state-changing request. Both yield request.caller with a
 * role and a region, checked against the route's @Roles the same way.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = rolesOf(this.reflector, context);
    if (!roles) {
      return true;
    }
    const req = context.switchToHttp().getRequest<CallerRequest>();
    const caller =
      req.headers.authorization !== undefined ? await this.byKey(req.headers.authorization) : await this.bySession(req);
    assertMayCall(caller.role, roles, req.method);
    req.caller = caller;
    return true;
  }

  private async byKey(authorization: string): Promise<Caller> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) {
      throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"（缺少 API 密钥）');
    }
    const key = await this.apiKeys.findActiveByKey(match[1]);
    if (!key) {
      throw new UnauthorizedError('unknown or revoked API key（API 密钥无效或已吊销）');
    }
    return {
      kind: 'api-key',
      name: key.name,
      actor: `api-key:${key.name}`,
      role: key.role,
      regionCode: key.regionCode,
    };
  }

  private async bySession(req: CallerRequest): Promise<Caller> {
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!token) {
      throw new UnauthorizedError(
        '请先登录，或发送 API 密钥 (sign in first, or send "Authorization: Bearer <key>")（缺少 API 密钥）',
      );
    }
    const session = await this.sessions.resume(token);
    if (!session) {
      throw new UnauthorizedError('登录已过期或已退出，请重新登录 (session expired or ended; sign in again)', {
        reason: 'session',
      });
    }
    if (!SAFE_METHODS.has(req.method) && !this.sessions.csrfMatches(session, headerValue(req.headers[CSRF_HEADER]))) {
      throw new ForbiddenError('缺少或错误的 X-CSRF-Token，请刷新页面后重试 (missing or wrong X-CSRF-Token header)', {
        reason: 'csrf',
      });
    }
    req.session = session;
    return session.caller;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
