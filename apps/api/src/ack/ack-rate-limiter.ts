import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS, RedisClient } from '@app/queue';

const WINDOW_MS = 1000;
const MAX_TRACKED = 50_000;

export const TOO_MANY_REQUESTS = '请求过于频繁，请稍后再试。(too many requests)';
/** The JSON both answer paths give a request over the limit (with Retry-After: 1). */
export const TOO_MANY_REQUESTS_BODY = { error: 'too_many_requests', message: TOO_MANY_REQUESTS } as const;

interface Waiting {
  window: number;
  ip: string;
  resolve: (count: number | null) => void;
}

/**
 * The count behind the public answer routes' limit: more than ACK_RATE_PER_SECOND requests from one IP within a
 * second are refused, so a token cannot be brute-forced from one address. The count is kept in Redis, one key per IP
 * and second, so it holds across every api replica; while Redis does not answer each replica counts alone.
 * The requests of one turn of the event loop are counted together: one INCRBY per IP, one Redis round trip in all.
 */
@Injectable()
export class AckRateLimiter {
  private readonly logger = new Logger(AckRateLimiter.name);
  private readonly windows = new Map<string, { start: number; count: number }>();
  private waiting: Waiting[] = [];
  private lastWarning = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis: RedisClient | null = null,
  ) {}

  /** Whether one more request from `ip` is within the limit (it is counted either way). */
  async allows(ip: string): Promise<boolean> {
    const count = (await this.sharedCount(ip)) ?? this.localCount(ip);
    return count <= this.config.ack.ratePerSecond;
  }

  /** This IP's requests in the current second across every replica, this one included; null when Redis does not answer. */
  private sharedCount(ip: string): Promise<number | null> {
    if (!this.redis) {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      if (this.waiting.length === 0) {
        setImmediate(() => void this.countWaiting());
      }
      this.waiting.push({ window: Math.floor(Date.now() / WINDOW_MS), ip, resolve });
    });
  }

  private async countWaiting(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    const byKey = new Map<string, Waiting[]>();
    for (const w of waiting) {
      const key = `${this.config.redis.queuePrefix}:{ack-rate:${w.ip}}:${w.window}`;
      const same = byKey.get(key);
      if (same) {
        same.push(w);
      } else {
        byKey.set(key, [w]);
      }
    }
    try {
      const multi = (this.redis as RedisClient).multi();
      for (const [key, ws] of byKey) {
        multi.incrby(key, ws.length).pexpire(key, 2 * WINDOW_MS);
      }
      const replies = (await multi.exec()) ?? [];
      [...byKey.values()].forEach((ws, i) => {
        const [error, total] = replies[2 * i] ?? [new Error('transaction aborted'), 0];
        if (error) {
          throw error;
        }
        // Each request its own place in the count, as if each had incremented alone.
        ws.forEach((w, k) => w.resolve((total as number) - ws.length + k + 1));
      });
    } catch (e) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({
          msg: `shared ack rate limit unavailable, this replica counts alone: ${(e as Error).message}`,
        });
      }
      waiting.forEach((w) => w.resolve(null));
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
