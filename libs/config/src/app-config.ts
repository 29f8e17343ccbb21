import type { NoticeChannelRule, NoticeKind } from './notice-channels';

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: { port: number; publicBaseUrl: string; maxBodyBytes: number };
  database: { url: string; poolMax: number };
  redis: { url: string; queuePrefix: string };
  mail: { smtpUrl: string; from: string };
  ack: { keys: Record<string, string>; currentKid: string; graceHours: number; notifyPeers: boolean; ratePerSecond: number };
  /** Which channels each kind of notice goes by (NOTICE_CHANNELS). */
  notices: { channels: Record<NoticeKind, NoticeChannelRule> };
  timers: { scale: number; responseSpecFile: string };
  sweep: { cron: string; staleMs: number };
  /** Feeds and duty-officer warnings (issue 3). */
  ingest: { feedsFile: string; twoPersonRule: Array<'red' | 'public'> };
  simulator: { host: string; port: number; smtpPort: number; callbackUrl: string };
  delivery: DeliveryConfig;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Channels and providers (issue 5). */
export interface DeliveryConfig {
  smsProviders: string[];
  voiceProviders: string[];
  signName: string;
  smsMaxSegments: number;
  tps: Record<string, number>;
  timeoutMs: number;
  breakerOpenMs: number;
  callbackSecret: string;
  templatesDir: string;
  alibaba: { accessKeyId: string; accessKeySecret: string; smsEndpoint: string; voiceEndpoint: string; voiceShowNumber: string };
  tencent: { secretId: string; secretKey: string; sdkAppId: string; endpoint: string; region: string; voiceSdkAppId: string; voiceEndpoint: string };
  mqtt: { url: string; topicPrefix: string };
}
