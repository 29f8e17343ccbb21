import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { dataSourceOptions } from '@app/database';
import { DemoSummary, seedDemo } from '@app/demo';
import { QueueName } from '@app/queue';
import { issueApiKey, localAppsEnv, localPorts, resetDatabase } from '@app/testing';
import { AppProcesses, waitHealthy } from './app-processes';
import { capXml } from './cap-builder';

export const ALL_APPS = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator', 'ingestor'];

/** What a fault run counts at the end: per idempotency key, at the carrier and the SMTP sink; the timers' lateness. */
export interface FaultFigures {
  due: number;
  sent: number;
  duplicated: number;
  lost: number;
  /** Emails due (not failed for a reason), and of those: at the sink twice or more, and never. */
  emails: number;
  emailsTwice: number;
  emailsLost: number;
  /** Emails sent again although an earlier claim had reached the end of DATA: the only ones that may go twice. */
  emailsResentAfterHandover: number;
  /** Seconds from the matching to the last SMS the carrier accepted. */
  lastSmsS: number;
}

/** Of the keys due, how many arrived, how many more than once, how many never. */
function tally(due: Set<string>, arrived: Array<string | null>): { sent: number; twice: number; lost: number } {
  const perKey = new Map<string, number>();
  for (const key of arrived) {
    if (key && due.has(key)) {
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
  }
  return {
    sent: perKey.size,
    twice: [...perKey.values()].filter((n) => n > 1).length,
    lost: due.size - perKey.size,
  };
}

/**
 * A fault run: the demo seeded into the test database, every app its own process from the build with the carrier
 * simulator on loopback, and what the carrier received read back over HTTP. A test injects its fault in between.
 */
export class FaultRun {
  ds!: DataSource;
  apps!: AppProcesses;
  demo!: DemoSummary;
  apiPort = 0;
  simPort = 0;
  private ingestKey = '';
  private prefix = '';

  constructor(private readonly name: string) {}

  /**
   * `dbUrl`: a database of the test's own, migrated here (the test database was migrated by global setup);
   * `appEnv`: what one app gets besides (a worker's METRICS_PORT).
   */
  async start(
    env: NodeJS.ProcessEnv,
    dbUrl?: string,
    appEnv: (app: string) => NodeJS.ProcessEnv = () => ({}),
  ): Promise<void> {
    this.ds = new DataSource(dataSourceOptions(dbUrl ?? (process.env.DATABASE_URL as string)));
    await this.ds.initialize();
    if (dbUrl) {
      await this.ds.runMigrations();
    }
    await resetDatabase(this.ds);
    this.demo = await seedDemo(this.ds);
    this.ingestKey = await issueApiKey(this.ds, `fault-${this.name}`, 'ingest', '500000');
    const ports = await localPorts();
    this.prefix = `jy-fault-${this.name}-${Date.now()}`;
    [this.apiPort, this.simPort] = [ports.api, ports.sim];
    this.apps = new AppProcesses({
      ...process.env,
      ...localAppsEnv(ports, this.prefix),
      DATABASE_URL: dbUrl ?? process.env.DATABASE_URL,
      TIMER_SCALE: '1',
      DATABASE_POOL_MAX: '8',
      LOG_LEVEL: 'warn',
      SWEEP_CRON: '* * * * * *',
      SWEEP_TIMER_GRACE_MS: '2000',
      ...env,
    });
    ALL_APPS.forEach((a) => this.apps.start(a, a, appEnv(a)));
    await this.healthy();
  }

  async healthy(timeoutMs = 60_000): Promise<void> {
    await waitHealthy(`http://127.0.0.1:${this.simPort}/health`, timeoutMs);
    await waitHealthy(`http://127.0.0.1:${this.apiPort}/api/v1/health`, timeoutMs);
  }

  /** Stops the apps and empties the run's queues. */
  async stop(): Promise<void> {
    await this.apps?.stopAll();
    await this.ds?.destroy();
    for (const name of Object.values(QueueName)) {
      const q = new Queue(name, {
        connection: { url: this.redisUrl, maxRetriesPerRequest: null },
        prefix: this.prefix,
      });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
  }

  get redisUrl(): string {
    return this.apps.env.REDIS_URL as string;
  }

  /** POST /api/v1/alerts as the ingest key; the raw response. */
  postAlert(identifier: string, geocode: string | string[], areaDesc: string, signal?: AbortSignal): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.apiPort}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.ingestKey}`, 'content-type': 'application/cap+xml' },
      body: capXml({ identifier, geocode, areaDesc }),
      signal,
    });
  }

  /** A warning accepted (202): its id. */
  async warn(identifier: string, geocode: string | string[], areaDesc: string): Promise<string> {
    const res = await this.postAlert(identifier, geocode, areaDesc);
    if (res.status !== 202) {
      throw new Error(`POST /api/v1/alerts: HTTP ${res.status} ${await res.text()}`);
    }
    return ((await res.json()) as { id: string }).id;
  }

  /** The simulator read back over HTTP; a read that fails (the machine is busy) is simply read again. */
  sim<T>(path: string): Promise<T> {
    return waitFor(
      () =>
        fetch(`http://127.0.0.1:${this.simPort}${path}`).then(
          (r) => (r.ok ? (r.json() as Promise<T>) : null),
          () => null,
        ),
      { what: path },
    );
  }

  async smsAtCarrier(): Promise<number> {
    return (await this.sim<{ messages: number }>('/sms/stats')).messages;
  }

  /** A count; NaN while PostgreSQL cannot be asked (a fault run may have stopped it). */
  async count(sql: string, params: unknown[]): Promise<number> {
    return this.ds.query<Array<{ n: number }>>(sql, params).then(
      (r) => r[0].n,
      () => NaN,
    );
  }

  /** Attempts of the warning's calls in a status, e.g. ['queued', 'sending']. */
  attempts(warningId: string, statuses: string[]): Promise<number> {
    return this.count(
      `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.status = ANY($2)`,
      [warningId, statuses],
    );
  }

  async settled(warningId: string, timeoutMs = 300_000): Promise<void> {
    await waitFor(async () => (await this.attempts(warningId, ['queued', 'sending'])) === 0, {
      what: 'every message settled',
      timeoutMs,
      intervalMs: 250,
    });
  }

  /** Due: every SMS and email attempt of the warning not failed for a reason; received once, twice, or never. */
  async figures(warningId: string): Promise<FaultFigures> {
    const rows = await this.ds.query<Array<{ status: string; key: string; channel: string; resent: boolean }>>(
      `SELECT a.status, a.idempotency_key AS key, a.channel, (a.tries > 1 AND a.handed_over_at < a.claimed_at) AS resent
       FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.channel IN ('sms', 'email')`,
      [warningId],
    );
    const due = (channel: string) =>
      new Set(rows.filter((a) => a.channel === channel && a.status !== 'failed').map((a) => a.key));
    const sms = due('sms');
    const emails = due('email');
    const smsAt = tally(
      sms,
      (await this.sim<Array<{ outId: string }>>('/sms')).map((m) => m.outId),
    );
    const mailAt = tally(
      emails,
      (await this.sim<Array<{ messageId: string | null }>>('/mail')).map(
        (m) => /^<(.+)@jiaoying>$/.exec(m.messageId ?? '')?.[1] ?? null,
      ),
    );
    const [{ last }] = await this.ds.query<Array<{ last: number | null }>>(
      `SELECT extract(epoch FROM max(a.sent_at) - min(t.created_at))::float AS last FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
       WHERE t.warning_id = $1 AND a.channel = 'sms'`,
      [warningId],
    );
    return {
      due: sms.size,
      sent: smsAt.sent,
      duplicated: smsAt.twice,
      lost: smsAt.lost,
      emails: emails.size,
      emailsTwice: mailAt.twice,
      emailsLost: mailAt.lost,
      emailsResentAfterHandover: rows.filter((a) => a.channel === 'email' && a.resent).length,
      lastSmsS: last ?? 0,
    };
  }

  report(what: string, f: FaultFigures, extra = ''): void {
    process.stdout.write(
      `fault ${what}: ${f.due} SMS due, ${f.sent} sent, ${f.duplicated} duplicated, ${f.lost} lost, the last ${f.lastSmsS.toFixed(1)} s after matching; ` +
        `${f.emails} emails due, ${f.emailsTwice} twice (${f.emailsResentAfterHandover} resent after reaching the end of DATA), ${f.emailsLost} lost${extra ? `; ${extra}` : ''}\n`,
    );
  }
}

/**
 * The promises every fault run asserts: no SMS or email lost; at most one SMS twice per 10,000. SMTP cannot be asked,
 * so an email may go twice only when an earlier claim had reached the end of DATA before the crash (counted).
 */
export function expectNothingLostNothingTwice(f: FaultFigures): void {
  expect(f.due).toBeGreaterThan(0);
  expect({ smsLost: f.lost, emailsLost: f.emailsLost }).toEqual({ smsLost: 0, emailsLost: 0 });
  expect(f.duplicated).toBeLessThanOrEqual(Math.floor(f.due / 10_000));
  expect(f.emailsTwice).toBeLessThanOrEqual(f.emailsResentAfterHandover);
}
