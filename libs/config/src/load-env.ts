import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validate as validateCron } from 'node-cron';
import { AppConfig, parseTriageHold } from './app-config';
import { EnvDto } from './env.dto';
import { parseNoticeChannels } from './notice-channels';
import { ProductionConfigError, productionProblems } from './production-guard';

export class InvalidEnvironmentError extends Error {
  constructor(readonly variables: string[]) {
    super(`Invalid environment variables: ${variables.join(', ')} (see config/.env.example)`);
  }
}

function deliveryConfig(dto: EnvDto): AppConfig['delivery'] {
  const list = (v: string) => v.split(',').filter(Boolean);
  return {
    smsProviders: list(dto.SMS_PROVIDERS),
    voiceProviders: list(dto.VOICE_PROVIDERS),
    signName: dto.SMS_SIGN_NAME,
    smsMaxSegments: dto.SMS_MAX_SEGMENTS,
    tps: Object.fromEntries(list(dto.PROVIDER_TPS).map((p) => [p.split(':')[0], Number(p.split(':')[1])])),
    rateWindowMs: dto.PROVIDER_RATE_WINDOW_MS,
    timeoutMs: dto.PROVIDER_TIMEOUT_MS,
    publicSmsAtOnce: dto.PUBLIC_SMS_AT_ONCE,
    claimLeaseMs: dto.CLAIM_LEASE_MS,
    breakerOpenMs: dto.BREAKER_OPEN_MS,
    callbackSecret: dto.PROVIDER_CALLBACK_SECRET,
    templatesDir: dto.TEMPLATES_DIR,
    alibaba: {
      accessKeyId: dto.ALIBABA_ACCESS_KEY_ID,
      accessKeySecret: dto.ALIBABA_ACCESS_KEY_SECRET,
      smsEndpoint: dto.ALIBABA_SMS_ENDPOINT,
      voiceEndpoint: dto.ALIBABA_VOICE_ENDPOINT,
      voiceShowNumber: dto.ALIBABA_VOICE_SHOW_NUMBER,
    },
    tencent: {
      secretId: dto.TENCENT_SECRET_ID,
      secretKey: dto.TENCENT_SECRET_KEY,
      sdkAppId: dto.TENCENT_SMS_SDK_APP_ID,
      endpoint: dto.TENCENT_SMS_ENDPOINT,
      region: dto.TENCENT_REGION,
      voiceSdkAppId: dto.TENCENT_VOICE_SDK_APP_ID,
      voiceEndpoint: dto.TENCENT_VOICE_ENDPOINT,
    },
    mqtt: { url: dto.MQTT_URL, topicPrefix: dto.MQTT_TOPIC_PREFIX },
  };
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
  if (!validateCron(dto.DAILY_REPORT_CRON)) {
    bad.push('DAILY_REPORT_CRON');
  }
  const noticeChannels = parseNoticeChannels(dto.NOTICE_CHANNELS);
  if (!noticeChannels) {
    bad.push('NOTICE_CHANNELS');
  }
  if (bad.length > 0 || !noticeChannels) {
    throw new InvalidEnvironmentError(bad);
  }
  if (dto.NODE_ENV === 'production') {
    const problems = productionProblems(dto);
    if (problems.length > 0) {
      throw new ProductionConfigError(problems);
    }
  }
  const pairs = dto.ACK_SIGNING_KEYS.split(',').map((p) => p.split(':') as [string, string]);
  return {
    env: dto.NODE_ENV,
    http: {
      host: dto.HTTP_HOST,
      port: dto.PORT,
      publicBaseUrl: dto.PUBLIC_BASE_URL.replace(/\/$/, ''),
      maxBodyBytes: dto.MAX_BODY_BYTES,
    },
    metrics: { port: dto.METRICS_PORT, token: dto.METRICS_TOKEN },
    database: { url: dto.DATABASE_URL, poolMax: dto.DATABASE_POOL_MAX },
    redis: { url: dto.REDIS_URL, clusterNodes: dto.REDIS_CLUSTER_NODES, queuePrefix: dto.QUEUE_PREFIX },
    mail: { smtpUrl: dto.SMTP_URL, from: dto.MAIL_FROM },
    ack: {
      keys: Object.fromEntries(pairs),
      currentKid: pairs[0][0],
      graceHours: dto.ACK_LINK_GRACE_HOURS,
      notifyPeers: dto.ACK_NOTIFY_PEERS === 'true',
      peerGatherMs: dto.ACK_PEER_NOTICE_GATHER_MS,
      ratePerSecond: dto.ACK_RATE_PER_SECOND,
      dutyDeskPhone: dto.DUTY_DESK_PHONE.trim() || null,
    },
    notices: { channels: noticeChannels },
    timers: {
      scale: dto.TIMER_SCALE,
      responseSpecFile: dto.RESPONSE_SPEC_FILE,
      escalationGatherMs: dto.ESCALATION_GATHER_MS,
      checkChunk: dto.DEADLINE_CHECK_CHUNK,
    },
    sweep: { cron: dto.SWEEP_CRON, staleMs: dto.SWEEP_STALE_MS, timerGraceMs: dto.SWEEP_TIMER_GRACE_MS },
    matching: { jobsAtOnce: dto.MATCH_JOBS_AT_ONCE },
    dailyReport: {
      cron: dto.DAILY_REPORT_CRON,
      to: dto.DAILY_REPORT_TO.split(',')
        .map((a) => a.trim())
        .filter((a) => a.length > 0),
      regionCode: dto.DAILY_REPORT_REGION,
    },
    pdf: { fontFile: dto.PDF_FONT_FILE },
    ingest: {
      feedsFile: dto.FEEDS_FILE,
      twoPersonRule:
        dto.OFFICER_TWO_PERSON_RULE === 'none'
          ? []
          : (dto.OFFICER_TWO_PERSON_RULE.split(',') as Array<'red' | 'public'>),
      triageHold: parseTriageHold(dto.TRIAGE_HOLD),
    },
    simulator: {
      host: dto.SIMULATOR_HOST,
      port: dto.SIMULATOR_PORT,
      smtpPort: dto.SMTP_SINK_PORT,
      callbackUrl: dto.SIMULATOR_CALLBACK_URL.replace(/\/$/, ''),
    },
    delivery: deliveryConfig(dto),
    accounts: {
      idleMinutes: dto.SESSION_IDLE_MINUTES,
      absoluteHours: dto.SESSION_ABSOLUTE_HOURS,
      maxFailures: dto.LOGIN_MAX_FAILURES,
      maxFailuresPerIp: dto.LOGIN_MAX_FAILURES_PER_IP,
      lockMinutes: dto.LOGIN_LOCK_MINUTES,
    },
    logLevel: dto.LOG_LEVEL,
  };
}
