export * from './cap';
export * from './alert-ingest.service';
export * from './warning-query.service';
export * from './alerts.module';
