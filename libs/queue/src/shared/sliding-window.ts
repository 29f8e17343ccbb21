import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis-connection';

export type WindowResult = { ok: true } | { ok: false; waitMs: number };

/**
 * One take from a sliding window, atomic in Redis and timed by Redis' own clock (TIME): the processes that share the
 * window may run on hosts whose clocks differ, or read their clock and then stall before the take reaches Redis; a
 * take stamped with such a time would leave the window early and let more than `limit` through.
 * KEYS[1] window; ARGV limit, windowMs, member. Returns {1, 0} when taken, else {0, ms until a slot frees}.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now)}
`;

/**
 * At most `limit` takes in any `windowMs`, counted in one Redis sorted set that every process shares. The key must
 * be a single slot on a Redis Cluster (it is one key).
 */
export async function takeFromWindow(
  redis: RedisClient,
  key: string,
  limit: number,
  windowMs: number,
): Promise<WindowResult> {
  const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
  const [taken, waitMs] = (await redis.eval(TAKE, 1, key, limit, windowMs, member)) as [number, number];
  return taken === 1 ? { ok: true } : { ok: false, waitMs };
}
