import { Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { AlertsModule } from '@app/alerts';
import { DeskModule } from '@app/desk';
import { APP_CONFIG, AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeliveryCallbacksModule } from '@app/delivery';
import { MatchingModule } from '@app/matching';
import { MetricsModule } from '@app/metrics';
import { QueueModule } from '@app/queue';
import { CallsModule } from '@app/calls';
import { ResponseModule } from '@app/response';
import { AckController } from './ack/ack.controller';
import { QueueBoardController } from './admin/queue-board.controller';
import { AuthController } from './accounts/auth.controller';
import { RequestAuditMiddleware } from './accounts/request-audit.middleware';
import { UsersController } from './accounts/users.controller';
import { AckRateLimitMiddleware } from './ack/ack-rate-limit.middleware';
import { AckRateLimiter } from './ack/ack-rate-limiter';
import { BoardController } from './board/board.controller';
import { CommandBoardController } from './board/command-board.controller';
import { ReportsController } from './reports/reports.controller';
import { DeskController, DeskReferenceController } from './desk/desk.controller';
import { CallsController } from './calls/calls.controller';
import { EvacuationsController } from './evacuations/evacuations.controller';
import { WarningLifecycleController } from './lifecycle/warning-lifecycle.controller';
import { EscalationPageController } from './escalation/escalation-page.controller';
import { OrderPageController } from './orders/order-page.controller';
import { OrdersController, OrderTargetsController } from './orders/orders.controller';
import { RecordsController } from './records/records.controller';
import { AlertsController } from './alerts/alerts.controller';
import { FeedsController } from './alerts/feeds.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { bodyParsers } from './body-parsers';
import { HealthController } from './health/health.controller';
import { IncomingController } from './incoming/incoming.controller';
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
  imports: [
    ConfigModule,
    DatabaseModule,
    AccountsModule,
    DeskModule,
    QueueModule,
    AlertsModule,
    CallsModule,
    ResponseModule,
    MatchingModule,
    DeliveryCallbacksModule,
    MetricsModule.forApp('api', { server: false }),
  ],
  controllers: [
    HealthController,
    QueueBoardController,
    AlertsController,
    PreviewController,
    WarningsController,
    AckController,
    ResponseSpecsController,
    RosterController,
    OfficerWarningsController,
    IncomingController,
    ReadingsController,
    FeedsController,
    CallsController,
    WarningLifecycleController,
    OrdersController,
    OrderTargetsController,
    OrderPageController,
    EscalationPageController,
    EvacuationsController,
    BoardController,
    RecordsController,
    ProviderCallbacksController,
    ShortLinkController,
    AuthController,
    UsersController,
    DeskController,
    DeskReferenceController,
    CommandBoardController,
    ReportsController,
  ],
  providers: [ApiKeyGuard, AckRateLimiter],
})
export class ApiModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AckRateLimitMiddleware)
      .forRoutes('ack/*path', 'api/v1/ack/*path', 'order/*path', 'escalation/*path', 'api/v1/order-targets/*path');
    consumer.apply(...bodyParsers(this.config.http.maxBodyBytes)).forRoutes('*path');
    consumer.apply(RequestAuditMiddleware).forRoutes('api/v1/*path');
  }
}
