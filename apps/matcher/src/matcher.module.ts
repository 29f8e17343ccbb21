import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MatchingModule } from '@app/matching';
import { QueueModule } from '@app/queue';
import { MatchingProcessor } from './matching.processor';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, MatchingModule],
  providers: [MatchingProcessor],
})
export class MatcherModule {}
