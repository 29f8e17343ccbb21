import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { assertRole } from '@app/database';
import { CONSOLE_COOKIE, ConsoleSessions } from '@app/response';
import { Caller, rolesOf } from './api-key.guard';

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      return part.slice(at + 1).trim();
    }
  }
  return undefined;
}

/**
 * The browser twin of ApiKeyGuard: the session cookie instead of a Bearer key, the same @Roles check, request.caller.
 * A route without @Roles is open to admin only.
 */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const caller = await this.sessions.resume(cookieValue(req.headers.cookie, CONSOLE_COOKIE));
    assertRole(caller.role, rolesOf(this.reflector, context) ?? []);
    req.caller = caller;
    return true;
  }
}
