export * from './entities';
export * from './migrations';
export { dataSourceOptions } from './data-source';
export * from './database.module';
export * from './repositories/event-log';
export * from './repositories/event-chain';
export * from './repositories/call-reasons.sql';
export * from './repositories/region.sql';
export * from './repositories/api-keys';
