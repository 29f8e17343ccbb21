import { TokenSigner } from './signed-token';

const KEYS = { k2: 'second-key-0123456789-0123456789-abcd', k1: 'first-key-0123456789-0123456789-abcde' };
const NOW = new Date('2026-07-11T02:00:00Z');
const EXP = Math.floor(NOW.getTime() / 1000) + 600;

describe('TokenSigner', () => {
  const signer = new TokenSigner(KEYS, 'k2');
  const token = signer.sign({ sub: 'task-1', per: 'person-1', pur: 'ack', exp: EXP });

  it('verifies its own token and returns the claims', () => {
    const check = signer.verify(token, 'ack', NOW);
    expect(check).toEqual({ ok: true, claims: { sub: 'task-1', per: 'person-1', pur: 'ack', exp: EXP, kid: 'k2' } });
  });

  it('refuses an expired token', () => {
    expect(signer.verify(token, 'ack', new Date((EXP + 1) * 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed for another purpose', () => {
    const order = signer.sign({ sub: 'task-1', per: 'person-1', pur: 'order', exp: EXP });
    expect(signer.verify(order, 'ack', NOW)).toEqual({ ok: false, reason: 'wrong_purpose' });
  });

  it('refuses altered payloads, flipped signature bits, other keys and garbage', () => {
    const [payload, sig] = token.split('.');
    const altered = Buffer.from(
      JSON.stringify({ sub: 'task-2', per: 'person-1', pur: 'ack', exp: EXP, kid: 'k2' }),
    ).toString('base64url');
    expect(signer.verify(`${altered}.${sig}`, 'ack', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    expect(signer.verify(`${payload}.${flipped}`, 'ack', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const stranger = new TokenSigner({ k2: 'another-key-entirely-0123456789-zzzz' }, 'k2').sign({
      sub: 'task-1',
      per: 'person-1',
      pur: 'ack',
      exp: EXP,
    });
    expect(signer.verify(stranger, 'ack', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const junk of ['', 'abc', 'a.b.c', '***.***', `${payload}.`, '.x']) {
      expect(signer.verify(junk, 'ack', NOW).ok).toBe(false);
    }
  });

  it('still verifies tokens of an older key after rotation, and refuses unknown key ids', () => {
    const old = new TokenSigner(KEYS, 'k1').sign({ sub: 't', per: 'p', pur: 'ack', exp: EXP });
    expect(signer.verify(old, 'ack', NOW).ok).toBe(true);
    const retired = new TokenSigner({ k0: 'retired-key-0123456789-0123456789-abc' }, 'k0').sign({
      sub: 't',
      per: 'p',
      pur: 'ack',
      exp: EXP,
    });
    expect(signer.verify(retired, 'ack', NOW)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses a key id that names what every object has (constructor, __proto__ …) as unknown, without throwing', () => {
    for (const kid of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const payload = Buffer.from(JSON.stringify({ sub: 't', per: 'p', pur: 'ack', exp: EXP, kid })).toString(
        'base64url',
      );
      expect(signer.verify(`${payload}.${'A'.repeat(43)}`, 'ack', NOW)).toEqual({ ok: false, reason: 'unknown_key' });
    }
  });
});
