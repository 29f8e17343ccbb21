import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { SweepCron } from './sweep.cron';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, ResponseModule],
  providers: [SweepCron],
})
export class IngestorModule {}
