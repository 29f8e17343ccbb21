import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JobProducer } from './job-producer';
import { QueueErrorLogger } from './queue-error-logger';
import { QueueName } from './queue.constants';

const QUEUES = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

/** Redis wiring once: every app imports this and gets the producer; workers are the apps' own. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redis.url, maxRetriesPerRequest: null, enableOfflineQueue: true },
        prefix: config.redis.queuePrefix,
      }),
    }),
    ...QUEUES,
  ],
  providers: [JobProducer, QueueErrorLogger],
  exports: [JobProducer, ...QUEUES],
})
export class QueueModule {}
