export * from './errors';
export * from './clock';
export * from './mask';
export * from './json-logger';
export * from './signed-token';
export * from './wait';
export * from './bootstrap';
