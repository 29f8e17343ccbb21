import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts.module';
import { FeedHeartbeatService } from './feed-heartbeat.service';
import { FeedPollService } from './feed-poll.service';
import { HeartbeatMailer } from './heartbeat-mailer';

/** Feed polling and heartbeats, for the ingestor (the API does not poll). */
@Module({
  imports: [AlertsModule],
  providers: [FeedPollService, FeedHeartbeatService, HeartbeatMailer],
  exports: [FeedPollService, FeedHeartbeatService],
})
export class FeedsModule {}
