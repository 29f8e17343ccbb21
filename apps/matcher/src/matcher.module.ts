import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MetricsModule } from '@app/metrics';
import { MatchingModule } from '@app/matching';
import { assertJobHandlers, QueueModule } from '@app/queue';
import { MatchingProcessor } from './matching.processor';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    QueueModule,
    MatchingModule,
    MetricsModule.forApp('matcher', { server: true }),
  ],
  providers: [MatchingProcessor],
})
export class MatcherModule {
  constructor() {
    assertJobHandlers([MatchingProcessor]);
  }
}
