import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock, countBreakerOpened, reportBreakers } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS, RedisClient, takeManyFromWindow, WindowResult } from '@app/queue';
import { BreakerState, CircuitBreaker, DEFAULT_BREAKER } from './circuit-breaker';
import { TokenBucket } from './token-bucket';
import type { ProviderFailure, ProviderResult } from '../providers/provider';

/** Every provider is at its TPS: the job goes back to the queue without using up a retry. */
export class ProvidersThrottledError extends Error {
  constructor(readonly waitMs: number) {
    super(`every provider is at its TPS; retry in ${waitMs} ms`);
  }
}

/** Sends per second for a provider the config does not list. */
const DEFAULT_TPS = 200;

export type ChainResult =
  | (Extract<ProviderResult, { ok: true }> & { provider: string })
  | (ProviderFailure & { provider: string | null })
  | { ok: false; kind: 'throttled'; waitMs: number; code: string; error: string; provider: null }
  /** The call would have started after `startBy` (a claim's lease): nothing was sent. */
  | { ok: false; kind: 'late'; code: string; error: string; provider: null };

/** How often a dispatcher reads the circuits the others opened. */
const SHARED_BREAKERS_EVERY_MS = 500;

/**
 * Circuit breakers and send rates of every provider, shared by every dispatcher through Redis: each provider's TPS is
 * one sliding window in Redis (at most TPS sends start in any PROVIDER_RATE_WINDOW_MS, whatever the number of
 * replicas), and a circuit one dispatcher opens is opened by the others within half a second. Each breaker counts the
 * calls its own process sees and probes on its own. When Redis does not answer, a process falls back to its own bucket
 * (then N replicas may send N × TPS) and its own breakers, and says so in the log.
 */
@Injectable()
export class ProviderHealth implements OnModuleDestroy {
  private readonly logger = new Logger(ProviderHealth.name);
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly buckets = new Map<string, TokenBucket>();
  /** Per provider, the takes waiting to go to Redis together (see take). */
  private readonly takesWaiting = new Map<string, Array<(r: WindowResult) => void>>();

  private sharedReadAt = 0;
  private lastRedisWarning = 0;
  /** Stops reporting this process's circuits to /metrics (jiaoying_provider_breaker_state). */
  private readonly unreport = reportBreakers(() => this.snapshot());

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis: RedisClient | null = null,
  ) {}

  onModuleDestroy(): void {
    this.unreport();
  }

  private get breakersKey(): string {
    return `${this.config.redis.queuePrefix}:{breakers}`;
  }

  tps(name: string): number {
    return this.config.delivery.tps[name] ?? DEFAULT_TPS;
  }

  breaker(name: string): CircuitBreaker {
    let b = this.breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(
        this.clock,
        { ...DEFAULT_BREAKER, openMs: this.config.delivery.breakerOpenMs },
        (reason, openedAt) => {
          countBreakerOpened(name, 'own');
          void this.redis
            ?.hset(this.breakersKey, name, JSON.stringify({ reason, openedAt }))
            .catch((e: Error) => this.redisDown(e));
        },
      );
      this.breakers.set(name, b);
    }
    return b;
  }

  snapshot(): Array<{ provider: string; state: BreakerState; reason: string | null }> {
    return [...this.breakers.entries()].map(([provider, b]) => ({ provider, state: b.state, reason: b.reason }));
  }

  /**
   * Tries the providers in order: an open circuit or an empty TPS bucket passes to the next one; a provider that
   * refuses or is down counts against its circuit and passes to the next; anything else is the answer. `startBy`: no
   * call starts after it (checked right before each request, after the waits for the shared rates and circuits).
   */
  async run<P extends { name: string }>(
    providers: P[],
    call: (p: P) => Promise<ProviderResult>,
    startBy?: Date,
  ): Promise<ChainResult> {
    let last: ChainResult | null = null;
    let waitMs = Infinity;
    await this.readSharedBreakers();
    for (const p of providers) {
      const breaker = this.breaker(p.name);
      if (!breaker.allow()) {
        continue;
      }
      const token = await this.take(p.name);
      if (!token.ok) {
        waitMs = Math.min(waitMs, token.waitMs);
        continue;
      }
      if (startBy && this.clock.now().getTime() > startBy.getTime()) {
        return {
          ok: false,
          kind: 'late',
          code: 'LeaseExpired',
          error: `not started by ${startBy.toISOString()}`,
          provider: null,
        };
      }
      const result = await call(p);
      if (result.ok || result.kind === 'recipient' || result.kind === 'retry') {
        breaker.success();
        return { ...result, provider: p.name };
      }
      const before = breaker.state;
      breaker.failure(result.code);
      if (before !== 'open' && breaker.state === 'open') {
        this.logger.warn({ msg: 'provider circuit opened', provider: p.name, reason: breaker.reason });
      }
      if (result.kind === 'uncertain') {
        return { ...result, provider: p.name };
      }
      last = { ...result, provider: p.name };
    }
    if (last) {
      return last;
    }
    if (Number.isFinite(waitMs)) {
      return {
        ok: false,
        kind: 'throttled',
        waitMs,
        code: 'Throttled',
        error: 'every provider is at its TPS',
        provider: null,
      };
    }
    return { ok: false, kind: 'provider', code: 'NoProvider', error: 'every provider circuit is open', provider: null };
  }

  /**
   * A send slot of the provider's TPS: the shared window in Redis, or this process's bucket while Redis is away. The
   * takes of the sends starting together (a page's claims come back at once) go to Redis as one call, each caller
   * getting its own slot or its wait: one round trip for the page rather than one per SMS, and no slot is taken for a
   * send that does not start right after.
   */
  private take(name: string): Promise<WindowResult> {
    if (!this.redis) {
      return Promise.resolve(this.bucket(name).take());
    }
    return new Promise((resolve) => {
      let waiting = this.takesWaiting.get(name);
      if (!waiting) {
        waiting = [];
        this.takesWaiting.set(name, waiting);
        setImmediate(() => void this.takeTogether(name));
      }
      waiting.push(resolve);
    });
  }

  /** The takes asked for in this turn of the event loop, first come first served. */
  private async takeTogether(name: string): Promise<void> {
    const waiting = this.takesWaiting.get(name) ?? [];
    this.takesWaiting.delete(name);
    try {
      const key = `${this.config.redis.queuePrefix}:{rate:${name}}`;
      const { taken, waitMs } = await takeManyFromWindow(
        this.redis as RedisClient,
        key,
        this.tps(name),
        this.config.delivery.rateWindowMs,
        waiting.length,
      );
      waiting.forEach((resolve, i) => resolve(i < taken ? { ok: true } : { ok: false, waitMs }));
    } catch (e) {
      this.redisDown(e as Error);
      waiting.forEach((resolve) => resolve(this.bucket(name).take()));
    }
  }

  /** Opens here the circuits another dispatcher opened (read at most every half second). */
  private async readSharedBreakers(): Promise<void> {
    const now = this.clock.now().getTime();
    if (!this.redis || now - this.sharedReadAt < SHARED_BREAKERS_EVERY_MS) {
      return;
    }
    this.sharedReadAt = now;
    try {
      const shared = await this.redis.hgetall(this.breakersKey);
      for (const [provider, value] of Object.entries(shared)) {
        const { reason, openedAt } = JSON.parse(value) as { reason: string; openedAt: number };
        if (this.breaker(provider).adopt(`${reason} (另一发送进程 another dispatcher)`, openedAt)) {
          countBreakerOpened(provider, 'shared');
          this.logger.warn({ msg: 'provider circuit opened by another dispatcher', provider, reason });
        }
      }
    } catch (e) {
      this.redisDown(e as Error);
    }
  }

  private redisDown(e: Error): void {
    const now = Date.now();
    if (now - this.lastRedisWarning > 10_000) {
      this.lastRedisWarning = now;
      this.logger.warn({ msg: `shared send rates and circuits unavailable, this process counts alone: ${e.message}` });
    }
  }

  private bucket(name: string): TokenBucket {
    let b = this.buckets.get(name);
    if (!b) {
      b = new TokenBucket(this.clock, this.tps(name));
      this.buckets.set(name, b);
    }
    return b;
  }
}
