export * from './message-renderer';
export * from './email.channel';
export * from './dispatch.service';
export * from './delivery.module';
