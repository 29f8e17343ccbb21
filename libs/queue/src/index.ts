export * from './queue.constants';
export * from './job-producer';
export * from './check-groups';
export * from './queue.module';
export * from './logged-worker-host';
