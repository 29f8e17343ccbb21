import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Failed sign-ins since a time, by login name (whatever its case) and by IP, each with its oldest. */
export interface RecentFailures {
  by_user: number;
  by_ip: number;
  user_oldest: Date | null;
  ip_oldest: Date | null;
}

/**
 * The only writer of `login_failures`, the failed sign-ins that lock a login name or an IP out for a while: recorded,
 * cleared by a sign-in or a password reset, forgotten once out of the lock window. The caller passes its manager (its
 * transaction's, where it runs in one).
 */
@Injectable()
export class LoginFailuresRepository {
  async countSince(manager: EntityManager, username: string, ip: string, since: Date): Promise<RecentFailures> {
    const [counts] = await manager.query<RecentFailures[]>(
      `SELECT count(*) FILTER (WHERE lower(username) = lower($1))::int AS by_user, count(*) FILTER (WHERE ip = $2)::int AS by_ip,
              min(at) FILTER (WHERE lower(username) = lower($1)) AS user_oldest, min(at) FILTER (WHERE ip = $2) AS ip_oldest
       FROM login_failures WHERE at > $3 AND (lower(username) = lower($1) OR ip = $2)`,
      [username, ip, since],
    );
    return counts;
  }

  /** One more failure; those before `forgetBefore` no longer count and are dropped as new ones arrive. */
  async recordFailure(
    manager: EntityManager,
    username: string,
    ip: string,
    now: Date,
    forgetBefore: Date,
  ): Promise<void> {
    await manager.query(`DELETE FROM login_failures WHERE at < $1`, [forgetBefore]);
    await manager.query(`INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)`, [username, ip, now]);
  }

  /** The login name's failures are forgotten (it signed in, or its password was reset). */
  async clearFailures(manager: EntityManager, username: string): Promise<void> {
    await manager.query(`DELETE FROM login_failures WHERE lower(username) = lower($1)`, [username]);
  }
}
