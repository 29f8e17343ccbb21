import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, ForbiddenError, inRegion, NotFoundError, ValidationError } from '@app/common';
import { EventLog, LoginFailuresRepository, SessionsRepository, UsersRepository } from '@app/database';
import { passwordProblem } from './password-policy';
import { hashPassword } from './passwords';
import { USER_ROLES, UserRole } from './roles';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  regionCode: string;
  regionName: string;
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: Date;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  role: UserRole;
  regionCode: string;
}

export interface UserPatch {
  displayName?: string;
  role?: UserRole;
  regionCode?: string;
  disabled?: boolean;
}

/** Who changes an account, for the region check and the audit log. */
export interface AccountActor {
  actor: string;
  regionCode: string;
  ip?: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/;
const ALL = '500000';

const VIEW = `SELECT u.id, u.username, u.display_name AS "displayName", u.role, u.region_code AS "regionCode",
  COALESCE(a.name, CASE WHEN u.region_code = '${ALL}' THEN '重庆市' ELSE u.region_code END) AS "regionName",
  u.disabled_at IS NOT NULL AS disabled, u.totp_enabled_at IS NOT NULL AS "totpEnabled", u.created_at AS "createdAt"
  FROM users u LEFT JOIN admin_units a ON a.code = u.region_code`;

/**
 * Accounts of people: create, list, change role/region/name, disable (which ends their sessions at once) and reset
 * passwords. An administrator manages the accounts inside their own region only. Every change is an audit event.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly loginFailures: LoginFailuresRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async create(input: NewUser, by: AccountActor): Promise<UserView> {
    const username = input.username.trim();
    if (!USERNAME_PATTERN.test(username)) {
      throw new ValidationError(
        '登录名须为 3–64 位字母、数字或 _ . -，以字母或数字开头 (login name: 3–64 letters, digits, _ . -)',
        { field: 'username' },
      );
    }
    this.checkRole(input.role);
    await this.checkRegion(input.regionCode, by);
    this.checkPassword(input.password, username);
    const displayName = this.checkDisplayName(input.displayName);
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction(async (tx) => {
      if (await this.users.usernameTaken(tx, username)) {
        throw new ConflictError(`登录名 ${username} 已存在 (login name already taken)`, { field: 'username' });
      }
      const id = await this.users.add(
        tx,
        { username, displayName, passwordHash, role: input.role, regionCode: input.regionCode },
        this.clock.now(),
      );
      await this.audit(tx, 'UserCreated', by, {
        userId: id,
        username,
        role: input.role,
        regionCode: input.regionCode,
      });
      return this.view(id, tx);
    });
  }

  async list(query: { page: number; pageSize: number; q?: string }, regionCode: string): Promise<Page<UserView>> {
    const where = `WHERE (u.region_code LIKE $1 || '%' OR $1 = '${ALL}')
      AND ($2::text IS NULL OR u.username ILIKE '%' || $2 || '%' OR u.display_name ILIKE '%' || $2 || '%')`;
    const params = [regionCode, query.q?.trim() || null];
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM users u ${where}`,
      params,
    );
    const items = await this.dataSource.query<UserView[]>(
      `${VIEW} ${where} ORDER BY u.region_code, u.username LIMIT $3 OFFSET $4`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  /** One account inside the caller's region (404 outside it, as every other region-scoped read). */
  async get(id: string, regionCode: string): Promise<UserView> {
    const user = await this.findView(id);
    if (!user || !inRegion(user.regionCode, regionCode)) {
      throw new NotFoundError('没有这个账号 (no such account in your region)');
    }
    return user;
  }

  async update(id: string, patch: UserPatch, by: AccountActor): Promise<UserView> {
    const before = await this.get(id, by.regionCode);
    if (patch.role !== undefined) {
      this.checkRole(patch.role);
    }
    if (patch.regionCode !== undefined) {
      await this.checkRegion(patch.regionCode, by);
    }
    const displayName = patch.displayName === undefined ? undefined : this.checkDisplayName(patch.displayName);
    return this.dataSource.transaction(async (tx) => {
      const now = this.clock.now();
      await this.users.change(
        tx,
        id,
        {
          displayName: displayName ?? null,
          role: patch.role ?? null,
          regionCode: patch.regionCode ?? null,
          disabled: patch.disabled ?? null,
        },
        now,
      );
      if (patch.disabled === true) {
        await this.sessions.revokeFor(tx, id, now);
      }
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      await this.audit(tx, patch.disabled === true ? 'UserDisabled' : 'UserUpdated', by, {
        userId: id,
        username: before.username,
        changes,
      });
      return this.view(id, tx);
    });
  }

  /**
   * Sets a new password (or makes one up and answers it once), ends every session of the account and, when asked,
   * removes its second factor (a lost phone).
   */
  async resetPassword(
    id: string,
    input: { password?: string; clearTotp?: boolean },
    by: AccountActor,
  ): Promise<{ user: UserView; password?: string }> {
    const user = await this.get(id, by.regionCode);
    const generated = input.password === undefined ? randomBytes(12).toString('base64url') : undefined;
    const password = input.password ?? generated ?? '';
    this.checkPassword(password, user.username);
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (tx) => {
      const now = this.clock.now();
      await this.users.setPassword(tx, id, passwordHash, input.clearTotp === true, now);
      await this.sessions.revokeFor(tx, id, now);
      await this.loginFailures.clearFailures(tx, user.username);
      await this.audit(tx, 'UserPasswordReset', by, {
        userId: id,
        username: user.username,
        totpCleared: input.clearTotp === true,
      });
      return { user: await this.view(id, tx), ...(generated ? { password: generated } : {}) };
    });
  }

  async findView(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserView | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) {
      return null;
    }
    const [row] = await manager.query<UserView[]>(`${VIEW} WHERE u.id = $1::uuid`, [id]);
    return row ?? null;
  }

  async findIdByUsername(username: string): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    return row?.id ?? null;
  }

  private async view(id: string, manager: EntityManager): Promise<UserView> {
    return (await this.findView(id, manager)) as UserView;
  }

  private checkRole(role: string): void {
    if (!(USER_ROLES as readonly string[]).includes(role)) {
      throw new ValidationError(
        `角色须为 ${USER_ROLES.join(', ')} 之一 (role must be one of ${USER_ROLES.join(', ')})`,
        { field: 'role' },
      );
    }
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem) {
      throw new ValidationError(problem, { field: 'password' });
    }
  }

  private checkDisplayName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 100) {
      throw new ValidationError('姓名须为 1–100 个字符 (display name: 1–100 characters)', { field: 'displayName' });
    }
    return trimmed;
  }

  /** The region must be a known division (or all of Chongqing) inside the administrator's own region. */
  private async checkRegion(regionCode: string, by: AccountActor): Promise<void> {
    if (!/^\d{6,12}$/.test(regionCode)) {
      throw new ValidationError('辖区须为 6–12 位行政区划代码 (region must be a 6–12 digit division code)', {
        field: 'regionCode',
      });
    }
    if (!inRegion(regionCode, by.regionCode)) {
      throw new ForbiddenError('不能把账号设在您的辖区之外 (you may not place an account outside your own region)', {
        field: 'regionCode',
      });
    }
    if (regionCode === ALL) {
      return;
    }
    const [known] = await this.dataSource.query<unknown[]>(`SELECT 1 FROM admin_units WHERE code = $1`, [regionCode]);
    if (!known) {
      throw new ValidationError(`没有行政区划 ${regionCode} (unknown division code)`, { field: 'regionCode' });
    }
  }

  private async audit(tx: EntityManager, type: string, by: AccountActor, data: Record<string, unknown>): Promise<void> {
    await this.events.append({ type, actor: by.actor, data: { ...data, ip: by.ip ?? null } }, tx);
  }
}
