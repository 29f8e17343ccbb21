export * from './database';
export * from './api-keys';
