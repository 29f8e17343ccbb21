import type { LevelName } from './words';
import type { NoticeChannelRule, NoticeKind } from './notice-channels';

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: { host: string; port: number; publicBaseUrl: string; maxBodyBytes: number };
  /** A worker app's /metrics and /health port (0: none) and the bearer token /metrics asks for (empty: none). */
  metrics: { port: number; token: string };
  database: { url: string; poolMax: number };
  /** clusterNodes: REDIS_CLUSTER_NODES ('' = a single Redis at url). */
  redis: { url: string; clusterNodes: string; queuePrefix: string };
  mail: { smtpUrl: string; from: string };
  ack: {
    keys: Record<string, string>;
    currentKid: string;
    graceHours: number;
    notifyPeers: boolean;
    peerGatherMs: number;
    ratePerSecond: number;
    dutyDeskPhone: string | null;
  };
  /** Which channels each kind of notice goes by (NOTICE_CHANNELS). */
  notices: { channels: Record<NoticeKind, NoticeChannelRule> };
  timers: { scale: number; responseSpecFile: string; escalationGatherMs: number; checkChunk: number };
  sweep: { cron: string; staleMs: number; timerGraceMs: number };
  /** MATCH_JOBS_AT_ONCE: matching jobs (a warning, or one county of it) one matcher runs at once. */
  matching: { jobsAtOnce: number };
  /** 日调度·日排名·日通报: when (node-cron, China time), to whom, about which region; no recipients, no report. */
  dailyReport: { cron: string; to: string[]; regionCode: string };
  /** The font PDFs are written in (Chinese glyphs needed). */
  pdf: { fontFile: string };
  /** Feeds and duty-officer warnings. */
  ingest: { feedsFile: string; twoPersonRule: Array<'red' | 'public'>; triageHold: TriageHold };
  simulator: { host: string; port: number; smtpPort: number; callbackUrl: string };
  delivery: DeliveryConfig;
  /** People's sign-in: session expiry and lockout. */
  accounts: {
    idleMinutes: number;
    absoluteHours: number;
    maxFailures: number;
    maxFailuresPerIp: number;
    lockMinutes: number;
  };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Per ingest source, the colours whose alerts wait for the desk's 研判 (TRIAGE_HOLD). */
export type TriageHold = Partial<Record<'feed' | 'sensor' | 'cap', LevelName[]>>;

/** 'sensor:blue|yellow,feed:blue' → { sensor: ['blue','yellow'], feed: ['blue'] }; 'none' → {}. */
export function parseTriageHold(value: string): TriageHold {
  if (value === 'none') {
    return {};
  }
  return Object.fromEntries(
    value.split(',').map((rule) => {
      const [source, colours] = rule.split(':');
      return [source, colours.split('|')];
    }),
  );
}

/** Channels and providers. */
export interface DeliveryConfig {
  smsProviders: string[];
  voiceProviders: string[];
  signName: string;
  smsMaxSegments: number;
  tps: Record<string, number>;
  /** PROVIDER_RATE_WINDOW_MS: at most tps sends start in any window this long. */
  rateWindowMs: number;
  timeoutMs: number;
  /** PUBLIC_SMS_AT_ONCE: residents' area SMS batches one dispatcher sends at once. */
  publicSmsAtOnce: number;
  claimLeaseMs: number;
  breakerOpenMs: number;
  callbackSecret: string;
  templatesDir: string;
  alibaba: {
    accessKeyId: string;
    accessKeySecret: string;
    smsEndpoint: string;
    voiceEndpoint: string;
    voiceShowNumber: string;
  };
  tencent: {
    secretId: string;
    secretKey: string;
    sdkAppId: string;
    endpoint: string;
    region: string;
    voiceSdkAppId: string;
    voiceEndpoint: string;
  };
  mqtt: { url: string; topicPrefix: string };
}
