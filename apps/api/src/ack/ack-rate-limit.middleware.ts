import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@app/config';
import { renderMessagePage } from './ack-page';

const WINDOW_MS = 1000;
const MAX_TRACKED = 50_000;

/**
 * A small in-process limiter for the public answer routes: more than ACK_RATE_PER_SECOND requests from one IP within a
 * second get 429 (a page for the link, JSON for the API), so a token cannot be brute-forced from one address.
 * Per process: behind several API replicas the limit is per replica.
 */
@Injectable()
export class AckRateLimitMiddleware implements NestMiddleware {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const now = Date.now();
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (this.windows.size > MAX_TRACKED) {
      for (const [key, w] of this.windows) {
        if (now - w.start >= WINDOW_MS) {
          this.windows.delete(key);
        }
      }
    }
    let w = this.windows.get(ip);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
    }
    w.count += 1;
    if (w.count <= this.config.ack.ratePerSecond) {
      next();
      return;
    }
    res.setHeader('Retry-After', '1');
    const message = '请求过于频繁，请稍后再试。(too many requests)';
    if (req.originalUrl.startsWith('/api/')) {
      res.status(429).json({ error: 'too_many_requests', message });
    } else {
      res.status(429).type('html').setHeader('Referrer-Policy', 'no-referrer').send(renderMessagePage('请稍后再试', message));
    }
  }
}
