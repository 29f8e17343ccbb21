import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a token may be used for; a token signed for one purpose is refused for any other. 'console' = a browser session. */
export type TokenPurpose = 'ack' | 'order' | 'console' | 'escalation';

export interface TokenClaims {
  /** call task (or order target) id; for a console session, the API key's id */
  sub: string;
  /** person id the link was issued to; for a console session, a fingerprint of the key it was opened with */
  per: string;
  pur: TokenPurpose;
  /** expiry, epoch seconds */
  exp: number;
  /** signing key id, for rotation */
  kid: string;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired' | 'unknown_key' };

const b64url = (buf: Buffer): string => buf.toString('base64url');

/** HMAC-SHA256 signed, expiring, single-purpose tokens: `payload.signature`, both base64url. */
export class TokenSigner {
  constructor(
    private readonly keys: Record<string, string>,
    private readonly currentKid: string,
  ) {
    if (!keys[currentKid]) {
      throw new Error(`signing key ${currentKid} is not configured`);
    }
  }

  sign(claims: Omit<TokenClaims, 'kid'>): string {
    const payload = b64url(Buffer.from(JSON.stringify({ ...claims, kid: this.currentKid })));
    return `${payload}.${this.mac(this.currentKid, payload)}`;
  }

  verify(token: string, purpose: TokenPurpose, now: Date): TokenCheck {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 2 || parts[0].length > 1024 || !/^[A-Za-z0-9_-]+$/.test(parts[0] + parts[1])) {
      return { ok: false, reason: 'malformed' };
    }
    const [payload, signature] = parts;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!claims || typeof claims.kid !== 'string' || typeof claims.exp !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    // Own keys only: a key id such as "constructor" or "__proto__" names something every object has.
    if (!Object.hasOwn(this.keys, claims.kid) || typeof this.keys[claims.kid] !== 'string') {
      return { ok: false, reason: 'unknown_key' };
    }
    const expected = Buffer.from(this.mac(claims.kid, payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'bad_signature' };
    }
    if (claims.pur !== purpose) {
      return { ok: false, reason: 'wrong_purpose' };
    }
    if (claims.exp * 1000 <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, claims };
  }

  private mac(kid: string, payload: string): string {
    return b64url(createHmac('sha256', this.keys[kid]).update(payload).digest());
  }
}

/**
 * The 10-character code of a short link (/a/<code>), derived with a signing key from what it stands for (a call
 * task id, a notice's key): it needs no lookup to build and comes out the same on a retry.
 */
export function shortCode(key: string, subject: string): string {
  return createHmac('sha256', key).update(`short:${subject}`).digest('base64url').slice(0, 10);
}
