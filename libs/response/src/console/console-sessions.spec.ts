import { SystemClock } from '@app/common';
import { loadEnv } from '@app/config';
import type { ApiKeys } from '@app/database';
import { ConsoleSessions, keyFingerprint } from './console-sessions';

// Cookie settings and the key fingerprint are pure; signing in and resuming run against PostgreSQL in the e2e spec.
const sessions = (publicBaseUrl: string) =>
  new ConsoleSessions(loadEnv({ PUBLIC_BASE_URL: publicBaseUrl }), null as unknown as ApiKeys, new SystemClock());

describe('console sessions', () => {
  it('sets a 12-hour HttpOnly, SameSite=Strict cookie on /console, Secure only behind https', () => {
    expect(sessions('https://jiaoying.example.cn').cookieOptions()).toEqual({
      httpOnly: true, sameSite: 'strict', secure: true, path: '/console', maxAge: 12 * 3600_000,
    });
    expect(sessions('http://127.0.0.1:3000').cookieOptions().secure).toBe(false);
  });

  it('fingerprints the key row, so a re-issued key under the same id does not match', () => {
    const a = keyFingerprint('a'.repeat(64));
    expect(a).toMatch(/^[\w-]{22}$/);
    expect(keyFingerprint('a'.repeat(64))).toBe(a);
    expect(keyFingerprint('b'.repeat(64))).not.toBe(a);
  });
});
