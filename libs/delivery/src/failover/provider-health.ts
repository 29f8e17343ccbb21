import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
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
export const DEFAULT_TPS = 200;

export type ChainResult =
  | (Extract<ProviderResult, { ok: true }> & { provider: string })
  | (ProviderFailure & { provider: string | null })
  | { ok: false; kind: 'throttled'; waitMs: number; code: string; error: string; provider: null };

/**
 * Circuit breakers and TPS buckets of every provider, in this dispatcher process's memory (not Redis): a breaker
 * reacts to what this process sees, which with one dispatcher per host is everything; a restarted dispatcher starts
 * with every circuit closed and finds a broken provider again within a few calls. TPS is per process, so with N
 * dispatchers each provider's bucket should be its TPS / N (BullMQ's global queue limit bounds the total anyway).
 */
@Injectable()
export class ProviderHealth {
  private readonly logger = new Logger(ProviderHealth.name);
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  tps(name: string): number {
    return this.config.delivery.tps[name] ?? DEFAULT_TPS;
  }

  breaker(name: string): CircuitBreaker {
    let b = this.breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(this.clock, { ...DEFAULT_BREAKER, openMs: this.config.delivery.breakerOpenMs });
      this.breakers.set(name, b);
    }
    return b;
  }

  snapshot(): Array<{ provider: string; state: BreakerState; reason: string | null }> {
    return [...this.breakers.entries()].map(([provider, b]) => ({ provider, state: b.state, reason: b.reason }));
  }

  /**
   * Tries the providers in order: an open circuit or an empty TPS bucket passes to the next one; a provider that
   * refuses or is down counts against its circuit and passes to the next; anything else is the answer.
   */
  async run<P extends { name: string }>(providers: P[], call: (p: P) => Promise<ProviderResult>): Promise<ChainResult> {
    let last: ChainResult | null = null;
    let waitMs = Infinity;
    for (const p of providers) {
      const breaker = this.breaker(p.name);
      if (!breaker.allow()) {
        continue;
      }
      const token = this.bucket(p.name).take();
      if (!token.ok) {
        waitMs = Math.min(waitMs, token.waitMs);
        continue;
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
      return { ok: false, kind: 'throttled', waitMs, code: 'Throttled', error: 'every provider is at its TPS', provider: null };
    }
    return { ok: false, kind: 'provider', code: 'NoProvider', error: 'every provider circuit is open', provider: null };
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
