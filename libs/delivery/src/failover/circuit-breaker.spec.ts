import { ManualClock } from '@app/common';
import { CircuitBreaker, DEFAULT_BREAKER } from './circuit-breaker';
import { TokenBucket } from './token-bucket';

describe('CircuitBreaker', () => {
  const opts = {
    ...DEFAULT_BREAKER,
    window: 10,
    minCalls: 4,
    maxErrorRate: 0.5,
    openMs: 1000,
    probes: 2,
    minReceipts: 10,
  };

  it('stays closed below the error rate and opens at it', () => {
    const b = new CircuitBreaker(new ManualClock(new Date(0)), opts);
    b.success();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure('HTTP 503');
    expect(b.state).toBe('open');
    expect(b.reason).toContain('HTTP 503');
    expect(b.allow()).toBe(false);
  });

  it('needs a minimum of calls before opening', () => {
    const b = new CircuitBreaker(new ManualClock(new Date(0)), opts);
    b.failure();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('goes on probation after openMs, closes after all probes succeed, reopens on a failed probe', () => {
    const clock = new ManualClock(new Date(0));
    const b = new CircuitBreaker(clock, opts);
    for (let i = 0; i < 4; i++) {
      b.failure();
    }
    clock.advance(999);
    expect(b.state).toBe('open');
    clock.advance(1);
    expect(b.state).toBe('half_open');
    expect([b.allow(), b.allow(), b.allow()]).toEqual([true, true, false]);
    b.success();
    expect(b.state).toBe('half_open');
    b.success();
    expect(b.state).toBe('closed');

    for (let i = 0; i < 4; i++) {
      b.failure();
    }
    clock.advance(1000);
    expect(b.allow()).toBe(true);
    b.failure('timeout');
    expect(b.state).toBe('open');
    expect(b.reason).toContain('probe failed');
  });

  it('opens when the delivery rate drops, given enough receipts', () => {
    const b = new CircuitBreaker(new ManualClock(new Date(0)), opts);
    b.deliveryRate(3, 5);
    expect(b.state).toBe('closed');
    b.deliveryRate(6, 4);
    expect(b.state).toBe('closed');
    b.deliveryRate(4, 6);
    expect(b.state).toBe('open');
    expect(b.reason).toBe('delivery rate 40% of 10 receipts');
  });
});

describe('TokenBucket', () => {
  it('allows the rate per second and says how long to wait', () => {
    const clock = new ManualClock(new Date(0));
    const bucket = new TokenBucket(clock, 2);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, waitMs: 500 });
    clock.advance(500);
    expect(bucket.take().ok).toBe(true);
  });
});
