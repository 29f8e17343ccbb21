import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validate as validateCron } from 'node-cron';
import { AppConfig } from './app-config';
import { EnvDto } from './env.dto';

export class InvalidEnvironmentError extends Error {
  constructor(readonly variables: string[]) {
    super(`Invalid environment variables: ${variables.join(', ')} (see config/.env.example)`);
  }
}

/** Reads and validates the environment once; the error names the bad variables, never their values. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvDto());
  const present = Object.fromEntries(Object.entries(source).filter(([k, v]) => known.includes(k) && v !== ''));
  const dto = plainToInstance(EnvDto, present, { exposeDefaultValues: true });
  const bad = validateSync(dto).map((e) => e.property);
  if (!validateCron(dto.SWEEP_CRON)) {
    bad.push('SWEEP_CRON');
  }
  if (bad.length > 0) {
    throw new InvalidEnvironmentError(bad);
  }
  const pairs = dto.ACK_SIGNING_KEYS.split(',').map((p) => p.split(':') as [string, string]);
  return {
    env: dto.NODE_ENV,
    http: { port: dto.PORT, publicBaseUrl: dto.PUBLIC_BASE_URL.replace(/\/$/, ''), maxBodyBytes: dto.MAX_BODY_BYTES },
    database: { url: dto.DATABASE_URL },
    redis: { url: dto.REDIS_URL, queuePrefix: dto.QUEUE_PREFIX },
    mail: { smtpUrl: dto.SMTP_URL, from: dto.MAIL_FROM },
    ack: { keys: Object.fromEntries(pairs), currentKid: pairs[0][0], graceHours: dto.ACK_LINK_GRACE_HOURS },
    timers: { scale: dto.TIMER_SCALE, responseSpecFile: dto.RESPONSE_SPEC_FILE },
    sweep: { cron: dto.SWEEP_CRON, staleMs: dto.SWEEP_STALE_MS },
    simulator: { host: dto.SIMULATOR_HOST, port: dto.SIMULATOR_PORT, smtpPort: dto.SMTP_SINK_PORT },
    logLevel: dto.LOG_LEVEL,
  };
}
