export * from './app-config';
export * from './load-env';
export * from './production-guard';
export * from './config.module';
export * from './response-spec';
export * from './notice-channels';
export * from './words';
export { DEFAULT_MATCH_JOBS_AT_ONCE, DEFAULT_PUBLIC_SMS_AT_ONCE } from './env.dto';
