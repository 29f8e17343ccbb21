import type { Request } from 'express';
import type { Where } from '@app/accounts';

/** Where a request came from, for the audit log and the per-IP lockout (the socket's address; no proxy is trusted). */
export function whereOf(req: Request): Where {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] };
}
