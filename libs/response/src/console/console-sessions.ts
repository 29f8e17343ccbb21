import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock, TokenSigner, UnauthorizedError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ActiveApiKey, ApiKeys, assertRole } from '@app/database';
import type { Role } from '@app/database';

export const CONSOLE_COOKIE = 'jy_console';
export const CONSOLE_SESSION_HOURS = 12;

/** Why a browser is sent back to the sign-in page (carried as ?r= and shown there). */
export type SignInReason = 'expired' | 'invalid' | 'revoked' | 'signed_out';

export interface ConsoleCaller {
  keyId: string;
  name: string;
  role: Role;
  regionCode: string;
}

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: string;
  maxAge: number;
}

/** Binds a session to the key it was opened with: re-issuing the key under the same name ends the session. */
export function keyFingerprint(keyHash: string): string {
  return createHash('sha256').update(`console-session:${keyHash}`).digest('base64url').slice(0, 22);
}

const unauthorized = (message: string, reason: SignInReason | 'bad_key' | 'missing') =>
  new UnauthorizedError(message, { reason });

/**
 * Browser sessions of the console: the API key is pasted once, checked, and never stored; the cookie carries a signed,
 * expiring token with the key's id. Every request re-reads the key row, so a revoked or replaced key ends its sessions
 * and a changed role or region applies at once.
 */
@Injectable()
export class ConsoleSessions {
  private readonly signer: TokenSigner;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeys,
    private readonly clock: Clock,
  ) {
    this.signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
  }

  /** Checks a pasted key and its role; answers the session token for the cookie. */
  async signIn(key: string, roles: readonly Role[]): Promise<{ token: string; caller: ConsoleCaller }> {
    const row = await this.apiKeys.findActiveByKey(key.trim());
    if (!row) {
      throw unauthorized('API 密钥无效或已吊销。请检查是否完整粘贴（不含空格和换行），或请管理员重新签发。(unknown or revoked API key)', 'bad_key');
    }
    assertRole(row.role, roles);
    const exp = Math.floor(this.clock.now().getTime() / 1000) + CONSOLE_SESSION_HOURS * 3600;
    return { token: this.signer.sign({ sub: row.id, per: keyFingerprint(row.keyHash), pur: 'console', exp }), caller: callerOf(row) };
  }

  /** The caller behind a session cookie, or UnauthorizedError with the reason to show on the sign-in page. */
  async resume(token: string | undefined): Promise<ConsoleCaller> {
    if (!token) {
      throw unauthorized('请先登录。(not signed in)', 'missing');
    }
    const check = this.signer.verify(token, 'console', this.clock.now());
    if (!check.ok) {
      throw check.reason === 'expired'
        ? unauthorized(`登录已超过 ${CONSOLE_SESSION_HOURS} 小时，请重新登录。(session expired)`, 'expired')
        : unauthorized('登录凭证无效，请重新登录。(invalid session)', 'invalid');
    }
    const row = await this.apiKeys.findActiveById(check.claims.sub);
    if (!row || keyFingerprint(row.keyHash) !== check.claims.per) {
      throw unauthorized('此密钥已吊销或已更换，请用新的密钥重新登录。(API key revoked or replaced)', 'revoked');
    }
    return callerOf(row);
  }

  /** HttpOnly, SameSite=Strict, Secure when the public address is https, scoped to /console, as long as the token. */
  cookieOptions(): CookieOptions {
    const secure = this.config.http.publicBaseUrl.startsWith('https:');
    return { httpOnly: true, sameSite: 'strict', secure, path: '/console', maxAge: CONSOLE_SESSION_HOURS * 3600_000 };
  }
}

function callerOf(row: ActiveApiKey): ConsoleCaller {
  return { keyId: row.id, name: row.name, role: row.role, regionCode: row.regionCode };
}
