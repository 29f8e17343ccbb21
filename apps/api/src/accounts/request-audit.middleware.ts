import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { RequestAuditRepository } from '@app/database';
import type { CallerRequest } from '../auth/api-key.guard';
import { whereOf } from './request-where';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request of a signed-in person or an API key lands in `request_audit` once it is answered:
 * who (actor), when, what (method, path, status) and from where (IP). Domain events say what changed; this says
 * who tried what from where, including refusals after sign-in (which change nothing in the domain).
 */
@Injectable()
export class RequestAuditMiddleware implements NestMiddleware {
  private readonly logger = new Logger(RequestAuditMiddleware.name);

  constructor(private readonly audit: RequestAuditRepository) {}

  use(req: CallerRequest, res: Response, next: NextFunction): void {
    if (!SAFE_METHODS.has(req.method)) {
      res.on('finish', () => {
        const caller = req.caller;
        if (!caller) {
          return;
        }
        this.audit
          .record({
            actor: caller.actor,
            method: req.method,
            path: req.originalUrl.split('?')[0].slice(0, 500),
            status: res.statusCode,
            ip: whereOf(req).ip,
          })
          .catch((e: Error) => {
            this.logger.warn({ msg: `request audit not written: ${e.message}`, actor: caller.actor });
          });
      });
    }
    next();
  }
}
