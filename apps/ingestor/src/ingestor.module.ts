import { Module } from '@nestjs/common';
import { FeedsModule } from '@app/alerts';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { FeedPollCron } from './feed-poll.cron';
import { SweepCron } from './sweep.cron';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, ResponseModule, FeedsModule],
  providers: [SweepCron, FeedPollCron],
})
export class IngestorModule {}
