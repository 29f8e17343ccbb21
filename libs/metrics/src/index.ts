export * from './health-check';
export * from './queue-gauges';
export * from './worker-metrics.server';
export * from './metrics.module';
export * from './all-queues';
