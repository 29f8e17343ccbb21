import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { DEFAULT_NOTICE_CHANNELS } from './notice-channels';

/** Defaults a worker also starts with, before config gives its figure (QueueProcessor.configuredConcurrency). */
export const DEFAULT_MATCH_JOBS_AT_ONCE = 2;
export const DEFAULT_PUBLIC_SMS_AT_ONCE = 4;

/** Every environment variable the service reads, with its default. config/.env.example documents them. */
export class EnvDto {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** Address the api listens on: loopback for the demo; 0.0.0.0 in a container or behind a load balancer. */
  @IsString()
  @Matches(/^[0-9a-fA-F.:]+$|^localhost$/)
  HTTP_HOST = '127.0.0.1';

  /**
   * Port of a worker app's /metrics and /health (matcher, dispatcher, escalator, ingestor), on HTTP_HOST; 0: none.
   * The api serves both on its own PORT.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 0;

  /** When set, /metrics answers only `Authorization: Bearer <this>` (Prometheus' `authorization` setting). */
  @IsString()
  METRICS_TOKEN = '';

  /** Base of every link we send; never taken from a request's Host header. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /**
   * postgres://user:password@host:port/database over TCP, or over PostgreSQL's Unix-domain socket on the same machine
   * (cheaper per statement than loopback TCP): postgres://user@%2Fvar%2Frun%2Fpostgresql/database or
   * postgres://user@/database?host=/var/run/postgresql.
   */
  @Matches(/^postgres(ql)?:\/\/[^\s/]*\/[^\s/?]+(\?\S*)?$/, {
    message: 'DATABASE_URL must read postgres://user@host:port/database (or a socket directory as host)',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/jiaoying';

  /** Connections per app process. Every app has its own pool: keep (apps × this) under PostgreSQL's max_connections. */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_MAX = 18;

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Redis Cluster start-up nodes `host:port,host:port`; set, the apps use the cluster (REDIS_URL gives only credentials). */
  @Matches(/^$|^[A-Za-z0-9.-]+:\d+(,[A-Za-z0-9.-]+:\d+)*$/)
  REDIS_CLUSTER_NODES = '';

  @Matches(/^[a-z0-9-]+$/)
  QUEUE_PREFIX = 'jiaoying';

  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false })
  SMTP_URL = 'smtp://127.0.0.1:2525';

  @IsString()
  MAIL_FROM = '叫应预警 <alerts@jiaoying.local>';

  /** `kid:secret[,kid:secret…]`; the first signs, all verify (rotation). Secrets ≥ 32 characters. */
  @Matches(/^[a-z0-9]+:[^,:]{32,}(,[a-z0-9]+:[^,:]{32,})*$/)
  ACK_SIGNING_KEYS = 'dev:development-only-signing-key-change-me-0001';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(24 * 30)
  ACK_LINK_GRACE_HOURS = 24;

  /** When someone answers, the others called for the same zone or object are told who answered (a notice, not a call). */
  @IsIn(['true', 'false'])
  ACK_NOTIFY_PEERS = 'true';

  /** Who-answered notices gather this long: a person gets one for everyone of their zone who answered in it (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  ACK_PEER_NOTICE_GATHER_MS = 2000;

  /**
   * Channels per notice kind, `kind:rule,…` over the defaults: `sms+email` both, `email/sms` the first the person has
   * (the next when it is missing or refuses). Checked in loadEnv (notice-channels.ts).
   */
  @IsString()
  NOTICE_CHANNELS = DEFAULT_NOTICE_CHANNELS;

  /** Requests per second per IP on the public ack routes before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  ACK_RATE_PER_SECOND = 20;

  /** The duty desk's phone, shown on expired-link and error pages (请致电值班员 …); empty = no number shown. */
  @Matches(/^$|^[0-9+\-() ]{3,24}$/, { message: 'DUTY_DESK_PHONE must be a phone number (digits, + - ( ) and spaces)' })
  DUTY_DESK_PHONE = '';

  /** Multiplies every deadline and retry delay of the response specs (tests use 0.001). */
  @Type(() => Number)
  @IsNumber()
  @Min(0.0001)
  @Max(100)
  TIMER_SCALE = 1;

  /** How long a round of 督办 gathers the silent calls of its deadline checks before it is sent (ms, not scaled). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  ESCALATION_GATHER_MS = 1500;

  /**
   * Calls checked in one transaction when their timers fall due together: more is fewer statements and commits per
   * call; an answer to a call being checked waits for its transaction.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DEADLINE_CHECK_CHUNK = 50;

  @IsString()
  RESPONSE_SPEC_FILE = 'config/response-specs.default.json';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  MAX_BODY_BYTES = 1024 * 1024;

  /** A console session ends after this many minutes without a request … */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  SESSION_IDLE_MINUTES = 30;

  /** … and this many hours after sign-in, whatever happens. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 7)
  SESSION_ABSOLUTE_HOURS = 12;

  /** Failed sign-ins per account, and per IP address, within LOGIN_LOCK_MINUTES before further tries get 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_MAX_FAILURES_PER_IP = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  LOGIN_LOCK_MINUTES = 15;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** node-cron pattern (six fields allowed) of the sweep that re-enqueues work a crash left behind. */
  @IsString()
  SWEEP_CRON = '*/15 * * * * *';

  /** node-cron pattern (China time) of the daily duty report (日调度·日排名·日通报) about the day before. */
  @IsString()
  DAILY_REPORT_CRON = '0 0 8 * * *';

  /** Who gets the daily report: email addresses, comma-separated; empty sends none. */
  @Matches(/^$|^[^\s,@]+@[^\s,@]+(,\s*[^\s,@]+@[^\s,@]+)*$/, {
    message: 'DAILY_REPORT_TO: email addresses, comma-separated',
  })
  DAILY_REPORT_TO = '';

  /** The region (division code) the daily report covers. */
  @Matches(/^\d{6,12}$/)
  DAILY_REPORT_REGION = '500000';

  /** A TrueType/OpenType font (TTC allowed) with Chinese glyphs for PDFs (Debian: fonts-wqy-microhei). */
  @IsString()
  PDF_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

  /** CAP feeds to poll (Atom/RSS index of CAP links) and their heartbeat limits. */
  @IsString()
  FEEDS_FILE = 'config/feeds.json';

  /** Duty-officer warnings needing a second officer's approval: 'red', 'public' (comma-separated) or 'none'. */
  @Matches(/^(none|(red|public)(,(red|public))*)$/)
  OFFICER_TWO_PERSON_RULE = 'red,public';

  /**
   * Alerts held for the duty desk's 研判 (confirm, edit or dismiss) instead of going straight to 叫应: per source
   * (feed, sensor, cap) the colours held, e.g. 'sensor:blue|yellow,feed:blue', or 'none'.
   */
  @Matches(
    /^(none|(feed|sensor|cap):(blue|yellow|orange|red)(\|(blue|yellow|orange|red))*(,(feed|sensor|cap):(blue|yellow|orange|red)(\|(blue|yellow|orange|red))*)*)$/,
  )
  TRIAGE_HOLD = 'sensor:blue|yellow';

  /**
   * Matching jobs one matcher runs at once. A county's job holds its calls in memory until it commits (≈60 MiB for
   * 5,500 calls); more counties at once come from more matcher replicas.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  MATCH_JOBS_AT_ONCE = DEFAULT_MATCH_JOBS_AT_ONCE;

  /** Rows untouched this long are considered stranded by the sweep. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SWEEP_STALE_MS = 30_000;

  /**
   * A timer (answer deadline, next rung, reminder, escalation at once of someone without a contact) this long past
   * its time with its check still not run is put back by the sweep: its job was lost (a crash between a commit and
   * its enqueue). A check run twice does nothing the second time.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SWEEP_TIMER_GRACE_MS = 5_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SIMULATOR_PORT = 3100;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_SINK_PORT = 2525;

  @IsOptional()
  @IsString()
  SIMULATOR_HOST = '127.0.0.1';

  // ---- Delivery. Provider lists are failover chains, first preferred; "-sim" entries use the simulator.
  @Matches(/^(alibaba|tencent)(-sim)?(,(alibaba|tencent)(-sim)?)*$/)
  SMS_PROVIDERS = 'alibaba-sim,tencent-sim';

  /** `alibaba`/`alibaba-voice` is Alibaba dyvmsapi, `tencent`/`tencent-voice` Tencent VMS; recorded as `<carrier>-voice[-sim]`. */
  @Matches(/^(alibaba|tencent)(-voice)?(-sim)?(,(alibaba|tencent)(-voice)?(-sim)?)*$/)
  VOICE_PROVIDERS = 'alibaba-sim,tencent-voice-sim';

  /** The 【…】 sender signature registered with the carriers. */
  @IsString()
  SMS_SIGN_NAME = '叫应预警';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  SMS_MAX_SEGMENTS = 3;

  @IsString()
  ALIBABA_ACCESS_KEY_ID = 'sim-alibaba-access-key';

  @IsString()
  ALIBABA_ACCESS_KEY_SECRET = 'sim-alibaba-secret-development-only';

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  ALIBABA_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  ALIBABA_VOICE_ENDPOINT = 'https://dyvmsapi.aliyuncs.com';

  /** CalledShowNumber of SingleCallByTts (the number people see). */
  @IsString()
  ALIBABA_VOICE_SHOW_NUMBER = '02300000000';

  @IsString()
  TENCENT_SECRET_ID = 'sim-tencent-secret-id';

  @IsString()
  TENCENT_SECRET_KEY = 'sim-tencent-secret-key-development-only';

  @IsString()
  TENCENT_SMS_SDK_APP_ID = '1400000001';

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  TENCENT_SMS_ENDPOINT = 'https://sms.tencentcloudapi.com';

  @IsString()
  TENCENT_REGION = 'ap-guangzhou';

  /** VoiceSdkAppid of the 语音消息 (VMS) application, not the SMS one. */
  @IsString()
  TENCENT_VOICE_SDK_APP_ID = '1400000002';

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  TENCENT_VOICE_ENDPOINT = 'https://vms.tencentcloudapi.com';

  /** Per-provider sends per second, `name:tps[,…]` (names as recorded on attempts); unlisted providers get 200. */
  @Matches(/^([a-z-]+:\d+)?(,[a-z-]+:\d+)*$/)
  PROVIDER_TPS = 'alibaba-sim:1000,tencent-sim:1000,alibaba-voice-sim:200,tencent-voice-sim:200';

  /**
   * At most a provider's TPS sends start in any window this long (ms), shared by every dispatcher through Redis. A little
   * over a second, so that a carrier counting by its own clock never sees more than its TPS in one of its seconds.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(10_000)
  PROVIDER_RATE_WINDOW_MS = 1100;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  PROVIDER_TIMEOUT_MS = 5000;

  /** Residents' area SMS batches (up to 200 numbers each) one dispatcher sends at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  PUBLIC_SMS_AT_ONCE = DEFAULT_PUBLIC_SMS_AT_ONCE;

  /**
   * A sender starts a provider call only this long after claiming a message. Keep SWEEP_STALE_MS above this plus the
   * providers' timeouts in a row, so that a claim the sweep takes for abandoned has no live sender.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  CLAIM_LEASE_MS = 15_000;

  /** How long an opened provider circuit stays open before probation. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  BREAKER_OPEN_MS = 30_000;

  /** Shared secret of provider callbacks: the simulator signs with it; real providers put it in the callback URL (?token=). */
  @IsString()
  @Matches(/^.{16,}$/)
  PROVIDER_CALLBACK_SECRET = 'development-callback-secret-change-me';

  /** Where the simulator sends receipts, call results and handset replies (our API). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  SIMULATOR_CALLBACK_URL = 'http://127.0.0.1:3000';

  /** Message templates per hazard × level × channel (zh-CN), editable without code. */
  @IsString()
  TEMPLATES_DIR = 'config/templates';

  @IsUrl({ require_tld: false, protocols: ['mqtt', 'mqtts', 'tcp', 'ws', 'wss'] })
  MQTT_URL = 'mqtt://127.0.0.1:1883';

  @Matches(/^[A-Za-z0-9_/-]+$/)
  MQTT_TOPIC_PREFIX = 'jiaoying';
}
