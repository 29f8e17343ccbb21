export * from './roles';
export * from './caller';
export * from './password-policy';
export * from './passwords';
export * from './totp';
export * from './users.service';
export * from './sessions.service';
export * from './accounts.module';
