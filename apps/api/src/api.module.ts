import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AlertsModule } from '@app/alerts';
import { APP_CONFIG, AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeliveryCallbacksModule } from '@app/delivery';
import { MatchingModule } from '@app/matching';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { AckController } from './ack/ack.controller';
import { AckRateLimitMiddleware } from './ack/ack-rate-limit.middleware';
import { BoardController } from './board/board.controller';
import { CallsController } from './calls/calls.controller';
import { ConsoleController } from './console/console.controller';
import { EvacuationsController } from './evacuations/evacuations.controller';
import { WarningLifecycleController } from './lifecycle/warning-lifecycle.controller';
import { OrderPageController } from './orders/order-page.controller';
import { OrdersController, OrderTargetsController } from './orders/orders.controller';
import { RecordsController } from './records/records.controller';
import { AlertsController } from './alerts/alerts.controller';
import { FeedsController } from './alerts/feeds.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ConsoleSessionGuard } from './auth/console-session.guard';
import { bodyParsers } from './body-parsers';
import { HealthController } from './health/health.controller';
import { OfficerWarningsController } from './officer-warnings/officer-warnings.controller';
import { PreviewController } from './preview/preview.controller';
import { ProviderCallbacksController } from './providers/provider-callbacks.controller';
import { ShortLinkController } from './providers/short-link.controller';
import { ReadingsController } from './readings/readings.controller';
import { ResponseSpecsController } from './roster/response-specs.controller';
import { RosterController } from './roster/roster.controller';
import { WarningsController } from './warnings/warnings.controller';

/** The HTTP edge: produces jobs and records answers; never runs processors. */
@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, AlertsModule, ResponseModule, MatchingModule, DeliveryCallbacksModule],
  controllers: [HealthController, AlertsController, PreviewController, WarningsController, AckController, ResponseSpecsController, RosterController,
    OfficerWarningsController, ReadingsController, FeedsController,
    CallsController, WarningLifecycleController, OrdersController, OrderTargetsController, OrderPageController, EvacuationsController, BoardController,
    RecordsController, ProviderCallbacksController, ShortLinkController, ConsoleController],
  providers: [ApiKeyGuard, ConsoleSessionGuard],
})
export class ApiModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AckRateLimitMiddleware)
      .forRoutes('ack/*path', 'api/v1/ack/*path', 'order/*path', 'api/v1/order-targets/*path', { path: 'console/sign-in', method: RequestMethod.POST });
    consumer.apply(...bodyParsers(this.config.http.maxBodyBytes)).forRoutes('*path');
  }
}
