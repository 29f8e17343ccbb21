import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeliveryModule } from '@app/delivery';
import { QueueModule } from '@app/queue';
import { EmailDispatchProcessor } from './email-dispatch.processor';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, DeliveryModule],
  providers: [EmailDispatchProcessor],
})
export class DispatcherModule {}
