import { ArgumentsHost, Catch, ExceptionFilter, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@app/common';
import { CONSOLE_COOKIE, CONSOLE_HEADERS, ConsoleSessions, describeConsoleError, isSignInReason, LIVE_PATH, renderSignInPage } from '@app/response';
import { DOMAIN_STATUS } from '../http-exception.filter';

/**
 * Console errors as a browser expects them: a page without a valid session goes back to the sign-in (with the reason),
 * a refused sign-in shows the form again with a zh-CN message and its 4xx, the live fragment answers a bare status.
 */
@Catch(DomainError)
@Injectable()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(private readonly sessions: ConsoleSessions) {}

  catch(e: DomainError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const status = DOMAIN_STATUS[e.code] ?? 400;
    if (status === 401 || status === 403) {
      res.clearCookie(CONSOLE_COOKIE, this.sessions.cookieOptions());
    }
    if (req.path === LIVE_PATH) {
      res.status(status).type('text').send(e.message);
      return;
    }
    if (status === 401 && req.method === 'GET') {
      const reason = e.details?.reason;
      res.redirect(303, isSignInReason(reason) ? `/console/sign-in?r=${reason}` : '/console/sign-in');
      return;
    }
    res.status(status).set(CONSOLE_HEADERS).send(renderSignInPage({ error: describeConsoleError(e) }));
  }
}
