import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MetricsModule } from '@app/metrics';
import { assertJobHandlers, QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { CallsModule } from '@app/calls';
import { DeadlineProcessor } from './deadline.processor';

/** Timers (call checks, warning expiry, 熔断 order checks). The notices they write are sent by the dispatcher. */
@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    QueueModule,
    CallsModule,
    ResponseModule,
    MetricsModule.forApp('escalator', { server: true }),
  ],
  providers: [DeadlineProcessor],
})
export class EscalatorModule {
  constructor() {
    assertJobHandlers([DeadlineProcessor]);
  }
}
