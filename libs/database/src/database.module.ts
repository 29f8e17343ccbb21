import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source';
import { PoolWarmup } from './pool-warmup';
import { ApiKeys } from './repositories/api-keys';
import { AttemptsRepository } from './repositories/attempts.repository';
import { CallProgressRepository } from './repositories/call-progress.repository';
import { CallTasksRepository } from './repositories/call-tasks.repository';
import { ContactMethodsRepository } from './repositories/contact-methods.repository';
import { DailyReportsRepository } from './repositories/daily-reports.repository';
import { DispatchesRepository } from './repositories/dispatches.repository';
import { EscalationsRepository } from './repositories/escalations.repository';
import { EvacuationsRepository } from './repositories/evacuations.repository';
import { EventChain } from './repositories/event-chain';
import { EventLog } from './repositories/event-log';
import { FeedsRepository } from './repositories/feeds.repository';
import { GeographyRepository } from './repositories/geography.repository';
import { IssueItemsRepository } from './repositories/issue-items.repository';
import { LoginFailuresRepository } from './repositories/login-failures.repository';
import { NoticesRepository } from './repositories/notices.repository';
import { OrdersRepository } from './repositories/orders.repository';
import { PendingReceiptsRepository } from './repositories/pending-receipts.repository';
import { PerformanceRecordsRepository } from './repositories/performance-records.repository';
import { PublicNoticesRepository } from './repositories/public-notices.repository';
import { ReadingsRepository } from './repositories/readings.repository';
import { RequestAuditRepository } from './repositories/request-audit.repository';
import { RosterRepository } from './repositories/roster.repository';
import { ResidentConfirmationsRepository } from './repositories/resident-confirmations.repository';
import { ResponseSpecsRepository } from './repositories/response-specs.repository';
import { SensorAlarmsRepository } from './repositories/sensor-alarms.repository';
import { SessionsRepository } from './repositories/sessions.repository';
import { ShortLinksRepository } from './repositories/short-links.repository';
import { UsersRepository } from './repositories/users.repository';
import { WarningDraftsRepository } from './repositories/warning-drafts.repository';
import { WarningsRepository } from './repositories/warnings.repository';

/** The repositories: each the one writer of its tables (see table-ownership.spec.ts). */
const REPOSITORIES = [
  AttemptsRepository,
  CallProgressRepository,
  CallTasksRepository,
  ContactMethodsRepository,
  DailyReportsRepository,
  DispatchesRepository,
  EscalationsRepository,
  EvacuationsRepository,
  FeedsRepository,
  GeographyRepository,
  IssueItemsRepository,
  LoginFailuresRepository,
  NoticesRepository,
  OrdersRepository,
  PendingReceiptsRepository,
  PerformanceRecordsRepository,
  PublicNoticesRepository,
  ReadingsRepository,
  RequestAuditRepository,
  ResidentConfirmationsRepository,
  ResponseSpecsRepository,
  SensorAlarmsRepository,
  SessionsRepository,
  RosterRepository,
  ShortLinksRepository,
  UsersRepository,
  WarningDraftsRepository,
  WarningsRepository,
];

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url, config.database.poolMax),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [EventLog, EventChain, ApiKeys, PoolWarmup, ...REPOSITORIES],
  exports: [EventLog, EventChain, ApiKeys, ...REPOSITORIES],
})
export class DatabaseModule {}
