import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An account to create: its password already hashed. */
export interface NewUserRow {
  username: string;
  displayName: string;
  passwordHash: string;
  role: string;
  regionCode: string;
}

/** What a change of account says: only the fields given change; `disabled` false enables, true disables. */
export interface UserChange {
  displayName: string | null;
  role: string | null;
  regionCode: string | null;
  disabled: boolean | null;
}

/**
 * The only writer of `users`, the accounts of people: created (by an administrator, or the demo's when missing),
 * changed or disabled, given a new password, and a second factor set up and enabled. The caller passes its
 * manager (its transaction's, where it runs in one).
 */
@Injectable()
export class UsersRepository {
  /** Whether a login name is taken, whatever its case. */
  async usernameTaken(manager: EntityManager, username: string): Promise<boolean> {
    const [taken] = await manager.query<unknown[]>(`SELECT 1 FROM users WHERE lower(username) = lower($1)`, [username]);
    return taken !== undefined;
  }

  /** A new account, its password set now; returns its id. */
  async add(manager: EntityManager, user: NewUserRow, now: Date): Promise<string> {
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO users (username, display_name, password_hash, role, region_code, created_at, updated_at, password_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id`,
      [user.username, user.displayName, user.passwordHash, user.role, user.regionCode, now],
    );
    return row.id;
  }

  /** A new account unless its login name (whatever its case) is taken; whether it was added. */
  async addIfMissing(manager: EntityManager, user: NewUserRow): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO users (username, display_name, password_hash, role, region_code) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ((lower(username))) DO NOTHING RETURNING id`,
      [user.username, user.displayName, user.passwordHash, user.role, user.regionCode],
    );
    return rows.length > 0;
  }

  /** Name, role, region and disabled flag, each only when given; disabling keeps the first time it was disabled. */
  async change(manager: EntityManager, id: string, change: UserChange, now: Date): Promise<void> {
    await manager.query(
      `UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), region_code = COALESCE($4, region_code),
         disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5 THEN COALESCE(disabled_at, $6) ELSE NULL END,
         updated_at = $6
       WHERE id = $1`,
      [id, change.displayName, change.role, change.regionCode, change.disabled, now],
    );
  }

  /** A new password (hashed); with `clearTotp`, the second factor goes too (a lost phone). */
  async setPassword(
    manager: EntityManager,
    id: string,
    passwordHash: string,
    clearTotp: boolean,
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3,
         totp_secret = CASE WHEN $4 THEN NULL ELSE totp_secret END, totp_enabled_at = CASE WHEN $4 THEN NULL ELSE totp_enabled_at END
       WHERE id = $1`,
      [id, passwordHash, now, clearTotp],
    );
  }

  /** A second factor's secret, not yet required at sign-in. */
  async startTotp(manager: EntityManager, id: string, secret: string, now: Date): Promise<void> {
    await manager.query(`UPDATE users SET totp_secret = $2, updated_at = $3 WHERE id = $1`, [id, secret, now]);
  }

  /** The second factor's secret, set up or enabled; null when there is none. */
  async totpSecretOf(manager: EntityManager, id: string): Promise<string | null> {
    const [row] = await manager.query<Array<{ totp_secret: string | null }>>(
      `SELECT totp_secret FROM users WHERE id = $1`,
      [id],
    );
    return row?.totp_secret ?? null;
  }

  /** From now on sign-in needs the second factor. */
  async enableTotp(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE users SET totp_enabled_at = $2, updated_at = $2 WHERE id = $1`, [id, now]);
  }
}
