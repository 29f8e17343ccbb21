export * from './console-sessions';
export * from './console-page';
export * from './board-page';
