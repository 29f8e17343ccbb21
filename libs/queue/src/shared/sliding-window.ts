import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis-connection';

export type WindowResult = { ok: true } | { ok: false; waitMs: number };

/**
 * Takes from a sliding window, atomic in Redis and timed by Redis' own clock (TIME): the processes that share the
 * window may run on hosts whose clocks differ, or read their clock and then stall before the take reaches Redis; a
 * take stamped with such a time would leave the window early and let more than `limit` through.
 * KEYS[1] window; ARGV limit, windowMs, member prefix, how many wanted. Takes as many as the window has room for, up
 * to how many wanted; returns {taken, 0} when all were taken, else {taken, ms until the oldest slot frees}.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local taken = math.max(0, math.min(wanted, limit - redis.call('ZCARD', KEYS[1])))
if taken > 0 then
  local args = {}
  for i = 1, taken do
    args[#args + 1] = now
    args[#args + 1] = ARGV[3] .. ':' .. i
  end
  redis.call('ZADD', KEYS[1], unpack(args))
  redis.call('PEXPIRE', KEYS[1], window + 1000)
end
if taken == wanted then
  return {taken, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #oldest == 0 then
  return {taken, window}
end
return {taken, math.max(1, tonumber(oldest[2]) + window - now)}
`;

/**
 * Up to `wanted` takes at once (one Redis call for the sends a process is about to start together): as many as the
 * window has room for. At most `limit` takes in any `windowMs`, counted in one Redis sorted set that every process
 * shares. The key must be a single slot on a Redis Cluster (it is one key). `waitMs`: when fewer than wanted were
 * taken, how long until a slot frees.
 */
export async function takeManyFromWindow(
  redis: RedisClient,
  key: string,
  limit: number,
  windowMs: number,
  wanted: number,
): Promise<{ taken: number; waitMs: number }> {
  const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
  const [taken, waitMs] = (await redis.eval(TAKE, 1, key, limit, windowMs, member, wanted)) as [number, number];
  return { taken, waitMs };
}

/** One take from the window (see takeManyFromWindow). */
export async function takeFromWindow(
  redis: RedisClient,
  key: string,
  limit: number,
  windowMs: number,
): Promise<WindowResult> {
  const { taken, waitMs } = await takeManyFromWindow(redis, key, limit, windowMs, 1);
  return taken === 1 ? { ok: true } : { ok: false, waitMs };
}
