export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: { port: number; publicBaseUrl: string; maxBodyBytes: number };
  database: { url: string };
  redis: { url: string; queuePrefix: string };
  mail: { smtpUrl: string; from: string };
  ack: { keys: Record<string, string>; currentKid: string; graceHours: number };
  timers: { scale: number; responseSpecFile: string };
  sweep: { cron: string; staleMs: number };
  simulator: { host: string; port: number; smtpPort: number };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export const APP_CONFIG = Symbol('APP_CONFIG');
