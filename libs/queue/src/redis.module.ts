import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { clusterNodes, createRedis, QUEUE_CLUSTER, REDIS, RedisClient } from './redis-connection';

/** Closes our own Redis client after the app's work is done. */
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.redis.disconnect();
      return;
    }
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Our own Redis client for what replicas share (send rates, breakers, rate limits, cron leases). It connects on first
 * use and fails a command after two reconnect tries instead of waiting: each user falls back to its own process.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedis(config.redis, { lazyConnect: true, maxRetriesPerRequest: 2 }),
    },
    {
      provide: QUEUE_CLUSTER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (clusterNodes(config.redis) ? createRedis(config.redis) : null),
    },
    RedisCloser,
  ],
  exports: [REDIS, QUEUE_CLUSTER],
})
export class RedisModule {}
