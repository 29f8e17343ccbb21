export * from './database';
export * from './api-keys';
export * from './local-apps';
export * from './users';
export * from './spec-file';
export * from './report-fixtures';
export * from './redis-cluster';
