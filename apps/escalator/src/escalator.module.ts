import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { DeadlineProcessor } from './deadline.processor';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, ResponseModule],
  providers: [DeadlineProcessor],
})
export class EscalatorModule {}
