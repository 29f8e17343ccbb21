import { Redis } from 'ioredis';
import { ManualClock, waitFor } from '@app/common';
import { AppConfig, loadEnv } from '@app/config';
import { ProviderHealth } from '@app/delivery';
import { RedisRunCoordinator, takeFromWindow, takeManyFromWindow } from '@app/queue';

/** What dispatcher, api and ingestor replicas share through Redis: send windows, open circuits, cron ticks. */
describe('limits shared by replicas in Redis', () => {
  const prefix = `${process.env.QUEUE_PREFIX}-shared-${Date.now()}`;
  // Two replicas: two processes' worth of clients on the same Redis.
  const a = new Redis(process.env.REDIS_URL as string);
  const b = new Redis(process.env.REDIS_URL as string);
  const config: AppConfig = loadEnv({ ...process.env, QUEUE_PREFIX: prefix, PROVIDER_TPS: 'alibaba-sim:5' });

  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  it('lets exactly the limit through a window across replicas taking at once (by Redis time), then more once it has slid', async () => {
    const key = `${prefix}:{rate:test}`;
    const windowMs = 1500;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => takeFromWindow(i % 2 ? a : b, key, 25, windowMs)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(25);
    const refused = results.filter((r): r is { ok: false; waitMs: number } => !r.ok);
    expect(refused).toHaveLength(35);
    expect(refused.every((r) => r.waitMs > 0 && r.waitMs <= windowMs)).toBe(true);
    expect(await takeFromWindow(a, key, 25, windowMs)).toMatchObject({ ok: false });
    await waitFor(async () => (await takeFromWindow(b, key, 25, windowMs)).ok, {
      what: 'a slot once the window has slid',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  });

  it('sends at most a provider TPS across two dispatchers, and fails over when it is used up', async () => {
    const clock = new ManualClock(new Date());
    const one = new ProviderHealth(clock, config, a);
    const two = new ProviderHealth(clock, config, b);
    const providers = [{ name: 'alibaba-sim' }];
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? one : two).run(providers, () =>
          Promise.resolve({ ok: true as const, messageIds: ['x'], rejected: 0 }),
        ),
      ),
    );
    expect(sent.filter((r) => r.ok)).toHaveLength(5);
    expect(sent.find((r) => !r.ok)).toMatchObject({ kind: 'throttled' });
  });

  it('takes many at once across replicas, never more than the limit in a window', async () => {
    const key = `${prefix}:{rate:many}`;
    const windowMs = 1500;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => takeManyFromWindow(i % 2 ? a : b, key, 25, windowMs, 7)),
    );
    expect(results.reduce((n, r) => n + r.taken, 0)).toBe(25);
    expect(results.filter((r) => r.taken < 7).every((r) => r.waitMs > 0 && r.waitMs <= windowMs)).toBe(true);
    expect(results.filter((r) => r.taken === 7).every((r) => r.waitMs === 0)).toBe(true);
    expect(await takeManyFromWindow(a, key, 25, windowMs, 3)).toMatchObject({ taken: 0 });
  });

  it('sends together no more than each provider TPS across two dispatchers, failing over one message at a time, in few Redis calls', async () => {
    const clock = new ManualClock(new Date());
    const both = loadEnv({
      ...process.env,
      QUEUE_PREFIX: `${prefix}-pages`,
      PROVIDER_TPS: 'alibaba-sim:5,tencent-sim:7',
    });
    const one = new ProviderHealth(clock, both, a);
    const two = new ProviderHealth(clock, both, b);
    const evals = jest.spyOn(a, 'eval');
    const providers = [{ name: 'alibaba-sim' }, { name: 'tencent-sim' }];
    // Two pages of 30 sends each, one per dispatcher, starting at once.
    const sent = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? one : two).run(providers, (p) =>
          Promise.resolve({ ok: true as const, messageIds: [p.name], rejected: 0 }),
        ),
      ),
    );
    const by = (name: string) => sent.filter((r) => r.ok && r.provider === name).length;
    expect([by('alibaba-sim'), by('tencent-sim')]).toEqual([5, 7]);
    expect(sent.filter((r) => !r.ok)).toHaveLength(48);
    expect(sent.find((r) => !r.ok)).toMatchObject({ kind: 'throttled' });
    // 30 sends of one dispatcher over two providers: a handful of takes, not 30 or 60.
    expect(evals.mock.calls.length).toBeLessThanOrEqual(6);
    evals.mockRestore();
  });

  it('opens a circuit in every dispatcher when one of them opens it', async () => {
    const clock = new ManualClock(new Date());
    const one = new ProviderHealth(clock, config, a);
    const two = new ProviderHealth(clock, config, b);
    const providers = [{ name: 'tencent-sim' }];
    for (let i = 0; i < 5; i++) {
      await one.run(providers, () =>
        Promise.resolve({ ok: false as const, kind: 'provider' as const, code: 'HTTP 503', error: 'down' }),
      );
    }
    expect(one.breaker('tencent-sim').state).toBe('open');
    await two.run([], () => Promise.resolve({ ok: true as const, messageIds: ['x'], rejected: 0 }));
    expect(two.breaker('tencent-sim').state).toBe('open');
    expect(two.breaker('tencent-sim').reason).toContain('HTTP 503');
    clock.advance(config.delivery.breakerOpenMs);
    expect(two.breaker('tencent-sim').state).toBe('half_open');
  });

  it('gives a cron tick to one replica only', async () => {
    const key = `stranded-work-sweep:${new Date().toISOString()}`;
    const answers = await Promise.all([
      new RedisRunCoordinator(a, prefix).shouldRun(key, 5000),
      new RedisRunCoordinator(b, prefix).shouldRun(key, 5000),
    ]);
    expect(answers.sort()).toEqual([false, true]);
    expect(await new RedisRunCoordinator(a, prefix).shouldRun(`${key}-next`, 5000)).toBe(true);
  });
});
