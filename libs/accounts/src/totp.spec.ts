import { base32Decode, base32Encode, totpCode, verifyTotp } from './totp';

// RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the 8-digit values, whose last 6 digits are the 6-digit codes.
const KEY = Buffer.from('12345678901234567890');

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1234567890, '89005924'],
    [20000000000, '65353130'],
  ])('at %i s the code is %s', (seconds, code) => {
    expect(totpCode(KEY, new Date(seconds * 1000), 8)).toBe(code);
    expect(totpCode(KEY, new Date(seconds * 1000))).toBe(code.slice(2));
  });

  it('round-trips base32 and accepts one step of drift, not two', () => {
    const secret = base32Encode(KEY);
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(secret)).toEqual(KEY);
    const at = new Date(1111111109 * 1000);
    expect(verifyTotp(secret, '081804', at)).toBe(true);
    expect(verifyTotp(secret, '081804', new Date(at.getTime() + 30_000))).toBe(true);
    expect(verifyTotp(secret, '081804', new Date(at.getTime() + 61_000))).toBe(false);
    expect(verifyTotp(secret, '08180', at)).toBe(false);
  });
});
