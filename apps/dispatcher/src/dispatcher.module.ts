import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MetricsModule } from '@app/metrics';
import { DeliveryModule } from '@app/delivery';
import { DailyReportModule } from '@app/desk';
import { assertJobHandlers, QueueModule } from '@app/queue';
import { DISPATCH_PROCESSORS } from './dispatch.processors';
import { QueueRateLimits } from './queue-rate-limits';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    QueueModule,
    DeliveryModule,
    DailyReportModule,
    MetricsModule.forApp('dispatcher', { server: true }),
  ],
  providers: [...DISPATCH_PROCESSORS, QueueRateLimits],
})
export class DispatcherModule {
  constructor() {
    assertJobHandlers(DISPATCH_PROCESSORS);
  }
}
