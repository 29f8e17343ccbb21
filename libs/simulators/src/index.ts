export * from './smtp-sink';
export * from './simulator-http';
