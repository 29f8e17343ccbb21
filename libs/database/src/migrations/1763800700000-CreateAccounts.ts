import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People who sign in to the console: accounts (role × region, argon2id password hash, optional TOTP), their
 * sessions (only the token's SHA-256 is stored; revocable; idle and absolute expiry) and failed sign-ins, which
 * drive the lockout per account and per IP address.
 */
export class CreateAccounts1763800700000 implements MigrationInterface {
  name = 'CreateAccounts1763800700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username varchar(64) NOT NULL,
      display_name varchar(100) NOT NULL,
      password_hash varchar(200) NOT NULL,
      role varchar(16) NOT NULL CHECK (role IN ('duty_officer','shift_leader','commander','roster_admin','admin','viewer')),
      region_code varchar(12) NOT NULL CHECK (region_code ~ '^[0-9]{6,12}$'),
      disabled_at timestamptz,
      totp_secret varchar(64),
      totp_enabled_at timestamptz,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX idx_users_username ON users(lower(username))`);

    await q.query(`CREATE TABLE sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash char(64) NOT NULL UNIQUE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token varchar(64) NOT NULL,
      ip varchar(64),
      user_agent varchar(300),
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz)`);
    await q.query(`CREATE INDEX idx_sessions_user ON sessions(user_id) WHERE revoked_at IS NULL`);

    await q.query(`CREATE TABLE login_failures (
      id bigserial PRIMARY KEY,
      username varchar(64) NOT NULL,
      ip varchar(64) NOT NULL,
      at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_login_failures_username ON login_failures(lower(username), at)`);
    await q.query(`CREATE INDEX idx_login_failures_ip ON login_failures(ip, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_failures`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
  }
}
