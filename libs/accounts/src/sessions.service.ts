import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Clock,
  ForbiddenError,
  SecondFactorRequiredError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { EventLog, LoginFailuresRepository, SessionsRepository, UsersRepository } from '@app/database';
import type { Caller } from './caller';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp';
import { UsersService, UserView } from './users.service';

export const SESSION_COOKIE = 'jy_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Roles that may add a second factor (TOTP). */
const TOTP_ROLES = ['commander', 'admin'];

export interface SignIn {
  username: string;
  password: string;
  totp?: string;
}

export interface Where {
  ip: string;
  userAgent?: string;
}

/** A live session: the person behind it, the CSRF token the console sends back, and when the cookie must expire. */
export interface LiveSession {
  id: string;
  user: UserView;
  csrfToken: string;
  expiresAt: Date;
  caller: Caller;
}

interface UserSecrets {
  id: string;
  username: string;
  password_hash: string;
  disabled_at: Date | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
}

const BAD_CREDENTIALS = '登录名或密码错误 (wrong login name or password)';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Sign-in with lockout, sessions stored in PostgreSQL (only the token's SHA-256), idle and absolute expiry,
 * revocation (sign-out, disable, password reset) and the optional TOTP second factor.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly userRows: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly loginFailures: LoginFailuresRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Answers the new session and its cookie token, or throws 401 / 429 / 400 totp_required. */
  async login(input: SignIn, where: Where): Promise<LiveSession & { token: string }> {
    const username = String(input.username ?? '').trim();
    await this.assertNotLocked(username, where.ip);
    const [user] = await this.dataSource.query<UserSecrets[]>(
      `SELECT id, username, password_hash, disabled_at, totp_secret, totp_enabled_at FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    const passwordOk = await verifyPassword(user?.password_hash ?? DUMMY_HASH, String(input.password ?? ''));
    if (!user || !passwordOk || user.disabled_at) {
      await this.fail(username, where, user && passwordOk ? 'disabled' : 'password');
      throw new UnauthorizedError(BAD_CREDENTIALS);
    }
    if (user.totp_enabled_at && user.totp_secret) {
      if (!input.totp) {
        throw new SecondFactorRequiredError(
          '请输入身份验证器上的 6 位动态码 (enter the 6-digit code from your authenticator app)',
          { field: 'totp' },
        );
      }
      if (!verifyTotp(user.totp_secret, String(input.totp), this.clock.now())) {
        await this.fail(username, where, 'totp');
        throw new UnauthorizedError('动态码错误或已过期 (wrong or expired authenticator code)');
      }
    }
    return this.open(user, where);
  }

  /** The session behind a cookie token, or null when it is unknown, revoked, idle too long, expired or its account disabled. */
  async resume(token: string | undefined): Promise<LiveSession | null> {
    if (!token || token.length > 200) {
      return null;
    }
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.config.accounts.idleMinutes * 60_000);
    const row = await this.sessions.findLive(this.dataSource.manager, hashToken(token), now, idleSince);
    if (!row) {
      return null;
    }
    // Touch at most once a minute: one write per minute per person, not per request.
    if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
      await this.sessions.touch(this.dataSource.manager, row.id, now);
    }
    const user = (await this.users.findView(row.user_id)) as UserView;
    return {
      id: row.id,
      user,
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
      caller: callerOf(user, row.id),
    };
  }

  /** Whether a state-changing request carries this session's CSRF token. */
  csrfMatches(session: LiveSession, header: string | undefined): boolean {
    const expected = Buffer.from(session.csrfToken);
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async logout(session: LiveSession, where: Where): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.sessions.revoke(tx, session.id, this.clock.now());
      await this.events.append(
        { type: 'UserSignedOut', actor: session.caller.actor, data: { userId: session.user.id, ip: where.ip } },
        tx,
      );
    });
  }

  /** Starts TOTP enrolment: a new secret, not yet required at sign-in until confirmed with a code. */
  async setupTotp(session: LiveSession, where: Where): Promise<{ secret: string; otpauthUrl: string }> {
    if (!TOTP_ROLES.includes(session.user.role)) {
      throw new ForbiddenError(
        '只有指挥长和管理员可以启用动态码 (only commanders and administrators use a second factor)',
      );
    }
    if (session.user.totpEnabled) {
      throw new ValidationError(
        '动态码已启用；如需更换，请管理员重置 (a second factor is already on; ask an administrator to reset it)',
        { field: 'totp' },
      );
    }
    const secret = newTotpSecret();
    await this.userRows.startTotp(this.dataSource.manager, session.user.id, secret, this.clock.now());
    await this.events.append({
      type: 'UserTotpSetupStarted',
      actor: session.caller.actor,
      data: { userId: session.user.id, ip: where.ip },
    });
    return { secret, otpauthUrl: otpauthUrl(secret, session.user.username) };
  }

  /** Confirms enrolment with a code from the app; from then on sign-in needs the code. */
  async enableTotp(session: LiveSession, code: string, where: Where): Promise<UserView> {
    const secret = await this.userRows.totpSecretOf(this.dataSource.manager, session.user.id);
    if (!secret || !verifyTotp(secret, code, this.clock.now())) {
      throw new ValidationError('动态码错误，请重新输入 (wrong code; enter the current one from your app)', {
        field: 'code',
      });
    }
    await this.userRows.enableTotp(this.dataSource.manager, session.user.id, this.clock.now());
    await this.events.append({
      type: 'UserTotpEnabled',
      actor: session.caller.actor,
      data: { userId: session.user.id, ip: where.ip },
    });
    return (await this.users.findView(session.user.id)) as UserView;
  }

  private async open(user: UserSecrets, where: Where): Promise<LiveSession & { token: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.accounts.absoluteHours * 3_600_000);
    const id = await this.dataSource.transaction(async (tx) => {
      const sessionId = await this.sessions.open(
        tx,
        {
          tokenHash: hashToken(token),
          userId: user.id,
          csrfToken,
          ip: where.ip,
          userAgent: where.userAgent?.slice(0, 300) ?? null,
          expiresAt,
        },
        now,
      );
      await this.loginFailures.clearFailures(tx, user.username);
      // Housekeeping on the way: this person's ended sessions (kept a week for the record; the events keep the rest).
      await this.sessions.dropEndedBefore(tx, user.id, new Date(now.getTime() - 7 * 86_400_000));
      await this.events.append(
        { type: 'UserSignedIn', actor: `user:${user.username}`, data: { userId: user.id, ip: where.ip } },
        tx,
      );
      return sessionId;
    });
    const view = (await this.users.findView(user.id)) as UserView;
    return { id, token, csrfToken, expiresAt, user: view, caller: callerOf(view, id) };
  }

  private async assertNotLocked(username: string, ip: string): Promise<void> {
    const { lockMinutes, maxFailures, maxFailuresPerIp } = this.config.accounts;
    const since = new Date(this.clock.now().getTime() - lockMinutes * 60_000);
    const counts = await this.loginFailures.countSince(this.dataSource.manager, username, ip, since);
    const lockedBy =
      counts.by_user >= maxFailures ? counts.user_oldest : counts.by_ip >= maxFailuresPerIp ? counts.ip_oldest : null;
    if (lockedBy) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((new Date(lockedBy).getTime() + lockMinutes * 60_000 - this.clock.now().getTime()) / 1000),
      );
      throw new TooManyRequestsError(
        `失败次数过多，请 ${Math.ceil(retryAfterSeconds / 60)} 分钟后再试 (too many failed sign-ins; try again in ${Math.ceil(retryAfterSeconds / 60)} min)`,
        { retryAfterSeconds },
      );
    }
  }

  private async fail(username: string, where: Where, why: 'password' | 'totp' | 'disabled'): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const now = this.clock.now();
      // Failures older than the lock window no longer count: drop them as new ones arrive.
      const forgetBefore = new Date(now.getTime() - this.config.accounts.lockMinutes * 60_000);
      await this.loginFailures.recordFailure(tx, username.slice(0, 64), where.ip, now, forgetBefore);
      await this.events.append(
        { type: 'UserSignInFailed', actor: 'anonymous', data: { username: username.slice(0, 64), ip: where.ip, why } },
        tx,
      );
    });
  }
}

function callerOf(user: UserView, sessionId?: string): Caller {
  return {
    kind: 'user',
    name: user.username,
    actor: `user:${user.username}`,
    role: user.role,
    regionCode: user.regionCode,
    userId: user.id,
    sessionId,
  };
}
