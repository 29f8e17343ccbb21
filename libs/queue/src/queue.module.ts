import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JobProducer } from './job-producer';
import { QueueErrorLogger } from './queue-error-logger';
import { QueueName } from './queue.constants';
import { QUEUE_CLUSTER, RedisClient } from './redis-connection';
import { RedisModule } from './redis.module';

const QUEUES = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

/** Redis wiring once: every app imports this and gets the producer; workers are the apps' own. */
@Global()
@Module({
  imports: [
    RedisModule,
    BullModule.forRootAsync({
      imports: [RedisModule],
      inject: [APP_CONFIG, QUEUE_CLUSTER],
      // A Redis Cluster is one ioredis Cluster for the queues (workers duplicate it for their blocking reads).
      useFactory: (config: AppConfig, cluster: RedisClient | null) => ({
        connection: cluster ?? { url: config.redis.url, maxRetriesPerRequest: null, enableOfflineQueue: true },
        prefix: config.redis.queuePrefix,
      }),
    }),
    ...QUEUES,
  ],
  providers: [JobProducer, QueueErrorLogger],
  exports: [JobProducer, RedisModule, ...QUEUES],
})
export class QueueModule {}
