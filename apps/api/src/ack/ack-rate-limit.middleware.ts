import { Inject, Injectable, Logger, NestMiddleware, Optional } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS, RedisClient } from '@app/queue';
import { renderMessagePage } from '../pages/page-shell';

const WINDOW_MS = 1000;
const MAX_TRACKED = 50_000;

/**
 * The limiter of the public answer routes: more than ACK_RATE_PER_SECOND requests from one IP within a second get 429
 * (a page for the link, JSON for the API), so a token cannot be brute-forced from one address. The count is kept in
 * Redis, one key per IP and second, so it holds across every api replica; while Redis does not answer each replica
 * counts alone.
 */
@Injectable()
export class AckRateLimitMiddleware implements NestMiddleware {
  private readonly logger = new Logger(AckRateLimitMiddleware.name);
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastWarning = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis: RedisClient | null = null,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const count = (await this.sharedCount(ip)) ?? this.localCount(ip);
    if (count <= this.config.ack.ratePerSecond) {
      next();
      return;
    }
    res.setHeader('Retry-After', '1');
    const message = '请求过于频繁，请稍后再试。(too many requests)';
    if (req.originalUrl.startsWith('/api/')) {
      res.status(429).json({ error: 'too_many_requests', message });
    } else {
      res
        .status(429)
        .type('html')
        .setHeader('Referrer-Policy', 'no-referrer')
        .send(renderMessagePage('请稍后再试', message));
    }
  }

  /** This IP's requests in the current second across every replica, or null when Redis does not answer. */
  private async sharedCount(ip: string): Promise<number | null> {
    if (!this.redis) {
      return null;
    }
    const key = `${this.config.redis.queuePrefix}:{ack-rate:${ip}}:${Math.floor(Date.now() / WINDOW_MS)}`;
    try {
      const replies = await this.redis
        .multi()
        .incr(key)
        .pexpire(key, 2 * WINDOW_MS)
        .exec();
      const [error, count] = replies?.[0] ?? [new Error('transaction aborted'), 0];
      if (error) {
        throw error;
      }
      return count as number;
    } catch (e) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({
          msg: `shared ack rate limit unavailable, this replica counts alone: ${(e as Error).message}`,
        });
      }
      return null;
    }
  }

  private localCount(ip: string): number {
    const now = Date.now();
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
    return w.count;
  }
}
