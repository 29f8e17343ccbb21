import { Cluster, Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '@app/config';

/** Our own Redis client (shared limits, breakers, leases), a single Redis or a Redis Cluster like BullMQ's. */
export const REDIS = Symbol('REDIS');
export type RedisClient = Redis | Cluster;
/**
 * The queues' ioredis Cluster on a Redis Cluster (null on a single Redis, where BullMQ opens its own connections).
 * BullMQ does not close a connection it was given and its workers use it until their last job is settled, so it is
 * left to the process's exit (a signal ends the process after the shutdown hooks); a test closes it itself.
 */
export const QUEUE_CLUSTER = Symbol('QUEUE_CLUSTER');

/** Options BullMQ needs on every connection: commands wait out a reconnect instead of failing. */
const RESILIENT: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true };

/** `host:port,host:port` of REDIS_CLUSTER_NODES as ioredis Cluster start-up nodes; null for a single Redis. */
export function clusterNodes(redis: AppConfig['redis']): Array<{ host: string; port: number }> | null {
  if (!redis.clusterNodes) {
    return null;
  }
  return redis.clusterNodes.split(',').map((n) => {
    const i = n.lastIndexOf(':');
    return { host: n.slice(0, i), port: Number(n.slice(i + 1)) };
  });
}

/**
 * A connection to the configured Redis: an ioredis Cluster when REDIS_CLUSTER_NODES is set (the credentials of
 * REDIS_URL, if any, go to every node), else a single Redis at REDIS_URL. Never an ioredis keyPrefix: BullMQ's
 * prefix and the hash-tagged queue names place the keys.
 */
export function createRedis(redis: AppConfig['redis'], extra: RedisOptions = {}): RedisClient {
  const nodes = clusterNodes(redis);
  if (!nodes) {
    return new Redis(redis.url, { ...RESILIENT, ...extra });
  }
  const url = new URL(redis.url);
  const auth = {
    username: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
  };
  const { lazyConnect, ...nodeOptions } = extra;
  return new Cluster(nodes, {
    redisOptions: { ...RESILIENT, ...nodeOptions, ...auth },
    enableOfflineQueue: true,
    lazyConnect,
  });
}
