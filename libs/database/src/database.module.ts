import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source';
import { PoolWarmup } from './pool-warmup';
import { ApiKeys } from './repositories/api-keys';
import { EventChain } from './repositories/event-chain';
import { EventLog } from './repositories/event-log';

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
  providers: [EventLog, EventChain, ApiKeys, PoolWarmup],
  exports: [EventLog, EventChain, ApiKeys],
})
export class DatabaseModule {}
