import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A session to open: only its token's hash is stored. */
export interface NewSessionRow {
  tokenHash: string;
  userId: string;
  csrfToken: string;
  ip: string;
  userAgent: string | null;
  expiresAt: Date;
}

/** A session still usable: not revoked, its account not disabled, neither idle too long nor expired. */
export interface LiveSessionRow {
  id: string;
  user_id: string;
  csrf_token: string;
  expires_at: Date;
  last_seen_at: Date;
}

/**
 * The only writer of `sessions`, the console's sign-ins: opened, touched, revoked (sign-out; every one of an account
 * when it is disabled or its password reset) and the ended ones dropped. The caller passes its manager (its
 * transaction's, where it runs in one).
 */
@Injectable()
export class SessionsRepository {
  /** Opened now; returns its id. */
  async open(manager: EntityManager, s: NewSessionRow, now: Date): Promise<string> {
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id`,
      [s.tokenHash, s.userId, s.csrfToken, s.ip, s.userAgent, now, s.expiresAt],
    );
    return row.id;
  }

  /** The live session of a token's hash, seen after `idleSince`; null when there is none. */
  async findLive(
    manager: EntityManager,
    tokenHash: string,
    now: Date,
    idleSince: Date,
  ): Promise<LiveSessionRow | null> {
    const [row] = await manager.query<LiveSessionRow[]>(
      `SELECT s.id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3`,
      [tokenHash, now, idleSince],
    );
    return row ?? null;
  }

  async touch(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, [id, now]);
  }

  /** Sign-out; a session revoked already keeps its time. */
  async revoke(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, now]);
  }

  /** Every live session of an account ends (disabled, password reset). */
  async revokeFor(manager: EntityManager, userId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, now]);
  }

  /** The account's sessions that ended (expired or revoked) before `before`. */
  async dropEndedBefore(manager: EntityManager, userId: string, before: Date): Promise<void> {
    await manager.query(
      `DELETE FROM sessions WHERE user_id = $1 AND least(expires_at, coalesce(revoked_at, expires_at)) < $2`,
      [userId, before],
    );
  }
}
