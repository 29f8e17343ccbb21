import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

/** Every environment variable the service reads, with its default. config/.env.example documents them. */
export class EnvDto {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  PORT = 3000;

  /** Base of every link we send; never taken from a request's Host header. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/jiaoying';

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[a-z0-9-]+$/)
  QUEUE_PREFIX = 'jiaoying';

  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false })
  SMTP_URL = 'smtp://127.0.0.1:2525';

  @IsString()
  MAIL_FROM = '叫应预警 <alerts@jiaoying.local>';

  /** `kid:secret[,kid:secret…]`; the first signs, all verify (rotation). Secrets ≥ 32 characters. */
  @Matches(/^[a-z0-9]+:[^,:]{32,}(,[a-z0-9]+:[^,:]{32,})*$/)
  ACK_SIGNING_KEYS = 'dev:development-only-signing-key-change-me-0001';

  @Type(() => Number) @IsInt() @Min(0) @Max(24 * 30)
  ACK_LINK_GRACE_HOURS = 24;

  /** Multiplies every deadline and retry delay of the response specs (tests use 0.001). */
  @Type(() => Number) @IsNumber() @Min(0.0001) @Max(100)
  TIMER_SCALE = 1;

  @IsString()
  RESPONSE_SPEC_FILE = 'config/response-specs.default.json';

  @Type(() => Number) @IsInt() @Min(1024) @Max(50 * 1024 * 1024)
  MAX_BODY_BYTES = 1024 * 1024;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** node-cron pattern (six fields allowed) of the sweep that re-enqueues work a crash left behind. */
  @IsString()
  SWEEP_CRON = '*/15 * * * * *';

  /** Rows untouched this long are considered stranded by the sweep. */
  @Type(() => Number) @IsInt() @Min(100)
  SWEEP_STALE_MS = 30_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  SIMULATOR_PORT = 3100;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  SMTP_SINK_PORT = 2525;

  @IsOptional() @IsString()
  SIMULATOR_HOST = '127.0.0.1';
}
