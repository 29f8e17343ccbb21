export * from './area-matcher';
export * from './recipient-resolver';
export * from './match-warning.service';
export * from './matching.module';
export * from './response-specs.provider';
