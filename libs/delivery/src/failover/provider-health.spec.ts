import { ManualClock } from '@app/common';
import { loadEnv } from '@app/config';
import { askSmsProviders, ProviderResult, SentLookup, SmsProvider } from '../providers/provider';
import { ProviderHealth } from './provider-health';

const T0 = new Date('2026-07-01T02:00:00Z');

describe('ProviderHealth.run with a start-by instant (a claim lease)', () => {
  const config = loadEnv({ ...process.env });

  it('starts no call after the instant, even when the wait for an earlier provider outlasted it', async () => {
    const clock = new ManualClock(T0);
    const health = new ProviderHealth(clock, config, null);
    const called: string[] = [];
    const result = await health.run(
      [{ name: 'first' }, { name: 'second' }],
      (p): Promise<ProviderResult> => {
        called.push(p.name);
        // The first provider refuses, after a wait that takes the claim past its lease.
        clock.advance(16_000);
        return Promise.resolve({ ok: false, kind: 'provider', code: 'isp.SYSTEM_ERROR', error: 'down' });
      },
      new Date(T0.getTime() + 15_000),
    );
    expect(called).toEqual(['first']);
    expect(result).toMatchObject({ ok: false, kind: 'late', provider: null });
  });

  it('calls the provider within the instant', async () => {
    const clock = new ManualClock(T0);
    const health = new ProviderHealth(clock, config, null);
    const result = await health.run(
      [{ name: 'first' }],
      () => Promise.resolve<ProviderResult>({ ok: true, messageIds: ['m1'], rejected: 0 }),
      new Date(T0.getTime() + 1),
    );
    expect(result).toMatchObject({ ok: true, provider: 'first' });
  });
});

describe('askSmsProviders', () => {
  const provider = (name: string, lookup: SentLookup): SmsProvider => ({
    name,
    carrier: 'alibaba',
    send: () => Promise.reject(new Error('not in this test')),
    findSent: () => Promise.resolve(lookup),
  });
  const q = { phone: '13800000000', idempotencyKey: 'k1', since: T0 };

  it('says unknown when no provider has it but one could not be asked', async () => {
    const answer = await askSmsProviders(
      [
        provider('a', { ok: false, kind: 'uncertain', code: 'Timeout', error: 'no answer within 5000 ms' }),
        provider('b', { ok: true, taken: false, messageId: null }),
      ],
      q,
    );
    expect(answer).toEqual({ taken: 'unknown', error: 'a Timeout: no answer within 5000 ms' });
  });

  it('says taken when one has it, whatever the others said', async () => {
    const answer = await askSmsProviders(
      [
        provider('a', { ok: false, kind: 'provider', code: 'HTTP500', error: 'down' }),
        provider('b', { ok: true, taken: true, messageId: 'm9' }),
      ],
      q,
    );
    expect(answer).toEqual({ taken: true, provider: 'b', messageId: 'm9' });
  });

  it('says not taken only when every provider answered so', async () => {
    expect(await askSmsProviders([provider('a', { ok: true, taken: false, messageId: null })], q)).toEqual({
      taken: false,
    });
  });
});
