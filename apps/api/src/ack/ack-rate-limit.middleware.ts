import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { renderMessagePage } from '../pages/page-shell';
import { AckRateLimiter, TOO_MANY_REQUESTS, TOO_MANY_REQUESTS_BODY } from './ack-rate-limiter';

/** The public answer routes refuse an IP over its limit (AckRateLimiter) with 429: a page for a link, JSON for the API. */
@Injectable()
export class AckRateLimitMiddleware implements NestMiddleware {
  constructor(private readonly limiter: AckRateLimiter) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (await this.limiter.allows(req.ip ?? req.socket.remoteAddress ?? 'unknown')) {
      next();
      return;
    }
    res.setHeader('Retry-After', '1');
    if (req.originalUrl.startsWith('/api/')) {
      res.status(429).json(TOO_MANY_REQUESTS_BODY);
    } else {
      res
        .status(429)
        .type('html')
        .setHeader('Referrer-Policy', 'no-referrer')
        .send(renderMessagePage('请稍后再试', TOO_MANY_REQUESTS));
    }
  }
}
