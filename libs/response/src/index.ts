export * from './ack-links';
export * from './ack.service';
export * from './call-planner';
export * from './deadline.service';
export * from './escalator';
export * from './response.module';
export * from './stranded-work.sweeper';
