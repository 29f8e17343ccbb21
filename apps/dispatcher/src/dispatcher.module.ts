import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeliveryModule } from '@app/delivery';
import { QueueModule } from '@app/queue';
import { DISPATCH_PROCESSORS } from './dispatch.processors';
import { QueueRateLimits } from './queue-rate-limits';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, DeliveryModule],
  providers: [...DISPATCH_PROCESSORS, QueueRateLimits],
})
export class DispatcherModule {}
