import { Module } from '@nestjs/common';
import { FeedsModule } from '@app/alerts';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MetricsModule } from '@app/metrics';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { DailyReportCron } from './daily-report.cron';
import { FeedPollCron } from './feed-poll.cron';
import { SweepCron } from './sweep.cron';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    QueueModule,
    ResponseModule,
    FeedsModule,
    MetricsModule.forApp('ingestor', { server: true }),
  ],
  providers: [SweepCron, FeedPollCron, DailyReportCron],
})
export class IngestorModule {}
