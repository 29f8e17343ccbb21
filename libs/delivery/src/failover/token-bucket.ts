import type { Clock } from '@app/common';

/** A provider's sends per second (its TPS), in this process: a bucket of `rate` tokens refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly rate: number,
  ) {
    this.tokens = rate;
    this.last = clock.now().getTime();
  }

  /** Takes a token, or returns how many ms until one is available. */
  take(): { ok: true } | { ok: false; waitMs: number } {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.tokens) / this.rate) * 1000) };
  }
}
