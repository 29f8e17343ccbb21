import { Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AlertsModule } from '@app/alerts';
import { APP_CONFIG, AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { AckController } from './ack/ack.controller';
import { AlertsController } from './alerts/alerts.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { bodyParsers } from './body-parsers';
import { HealthController } from './health/health.controller';
import { WarningsController } from './warnings/warnings.controller';

/** The HTTP edge: produces jobs and records answers; never runs processors. */
@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, AlertsModule, ResponseModule],
  controllers: [HealthController, AlertsController, WarningsController, AckController],
  providers: [ApiKeyGuard],
})
export class ApiModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...bodyParsers(this.config.http.maxBodyBytes)).forRoutes('*path');
  }
}
