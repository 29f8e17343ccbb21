import type { Clock } from '@app/common';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Calls remembered for the error rate. */
  window: number;
  /** Calls needed in the window before the error rate can open the circuit. */
  minCalls: number;
  /** Error share in the window that opens the circuit. */
  maxErrorRate: number;
  /** Delivery share (receipts) below which the circuit opens, given at least minReceipts receipts. */
  minDeliveryRate: number;
  minReceipts: number;
  /** How long the circuit stays open before probation. */
  openMs: number;
  /** Probe calls allowed on probation; all must succeed to close. */
  probes: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  window: 20,
  minCalls: 5,
  maxErrorRate: 0.5,
  minDeliveryRate: 0.5,
  minReceipts: 20,
  openMs: 30_000,
  probes: 3,
};

/**
 * One provider's circuit: opens on a high error rate among recent calls or a delivery-rate drop in receipts,
 * stays open for openMs, then admits a few probe calls (half-open); their success closes it, one failure reopens.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private outcomes: boolean[] = [];
  private openedAt = 0;
  private probesLeft = 0;
  private probeSuccesses = 0;
  /** Why it last opened, for logs and the health view. */
  reason: string | null = null;
  /** When it last closed after probation (ms): receipts from before then say nothing about now. */
  closedAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: BreakerOptions = DEFAULT_BREAKER,
    /** Told when this breaker opens by itself (ProviderHealth shares it with the other dispatchers). */
    private readonly onOpen?: (reason: string, openedAt: number) => void,
  ) {}

  /** When it last opened (ms). */
  get lastOpenedAt(): number {
    return this.openedAt;
  }

  /** Another dispatcher opened this provider's circuit at openedAt: open here too, from then, unless already open. */
  adopt(reason: string, openedAt: number): boolean {
    if (
      this.state === 'open' ||
      openedAt <= this.openedAt ||
      this.clock.now().getTime() - openedAt >= this.opts.openMs
    ) {
      return false;
    }
    this.current = 'open';
    this.openedAt = openedAt;
    this.reason = reason;
    this.outcomes = [];
    return true;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now().getTime() - this.openedAt >= this.opts.openMs) {
      this.current = 'half_open';
      this.probesLeft = this.opts.probes;
      this.probeSuccesses = 0;
    }
    return this.current;
  }

  /** May a call go to this provider now? On probation each allowed call uses up a probe. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') {
      return true;
    }
    if (state === 'half_open' && this.probesLeft > 0) {
      this.probesLeft -= 1;
      return true;
    }
    return false;
  }

  success(): void {
    if (this.state === 'half_open') {
      this.probeSuccesses += 1;
      if (this.probeSuccesses >= this.opts.probes) {
        this.close();
      }
      return;
    }
    this.remember(true);
  }

  failure(error = 'error'): void {
    if (this.state === 'half_open') {
      this.open(`probe failed: ${error}`);
      return;
    }
    this.remember(false);
    const failures = this.outcomes.filter((ok) => !ok).length;
    if (this.outcomes.length >= this.opts.minCalls && failures / this.outcomes.length >= this.opts.maxErrorRate) {
      this.open(`${failures}/${this.outcomes.length} calls failed: ${error}`);
    }
  }

  /** Receipts of a recent period: a delivery rate under the floor opens a closed circuit. True when it opened. */
  deliveryRate(delivered: number, failed: number): boolean {
    const total = delivered + failed;
    if (this.state === 'closed' && total >= this.opts.minReceipts && delivered / total < this.opts.minDeliveryRate) {
      this.open(`delivery rate ${Math.round((100 * delivered) / total)}% of ${total} receipts`);
      return true;
    }
    return false;
  }

  private remember(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > this.opts.window) {
      this.outcomes.shift();
    }
  }

  private open(reason: string): void {
    this.current = 'open';
    this.openedAt = this.clock.now().getTime();
    this.reason = reason;
    this.outcomes = [];
    this.onOpen?.(reason, this.openedAt);
  }

  private close(): void {
    this.current = 'closed';
    this.closedAt = this.clock.now().getTime();
    this.outcomes = [];
    this.reason = null;
  }
}
