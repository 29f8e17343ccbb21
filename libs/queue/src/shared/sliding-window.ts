import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis-connection';

export type WindowResult = { ok: true } | { ok: false; waitMs: number };

/**
 * At most `limit` takes in any `windowMs`, counted in one Redis sorted set that every process shares (no Lua: one
 * MULTI adds the take, then counts; a take over the limit is removed again). Two takes racing at the limit may both
 * back off, never both pass. The key must be a single slot on a Redis Cluster (it is one key).
 */
export async function takeFromWindow(redis: RedisClient, key: string, limit: number, windowMs: number, now: number): Promise<WindowResult> {
  const member = `${now}-${randomBytes(6).toString('hex')}`;
  const replies = await redis
    .multi()
    .zremrangebyscore(key, '-inf', now - windowMs)
    .zadd(key, now, member)
    .zcard(key)
    .zrange(key, 0, 0, 'WITHSCORES')
    .pexpire(key, windowMs + 1000)
    .exec();
  if (!replies || replies.some(([error]) => error)) {
    throw new Error(`rate window ${key}: ${replies?.find(([e]) => e)?.[0]?.message ?? 'transaction aborted'}`);
  }
  const count = replies[2][1] as number;
  if (count <= limit) {
    return { ok: true };
  }
  await redis.zrem(key, member);
  const oldest = Number((replies[3][1] as string[])[1] ?? now);
  return { ok: false, waitMs: Math.max(1, oldest + windowMs - now) };
}
