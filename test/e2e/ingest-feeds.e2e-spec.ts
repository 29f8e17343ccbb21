import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FeedHeartbeatService, FeedPollService, FeedSourceConfig, FeedsModule, WarningQueryService } from '@app/alerts';
import { Clock, JsonLogger, ManualClock, waitFor } from '@app/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule, QueueName } from '@app/queue';
import { SmtpSink } from '@app/simulators';
import { resetDatabase } from '@app/testing';

const FIXTURES = join(__dirname, '../fixtures');

/** A local feed publisher serving the real fixture files; `down` makes the Atom index answer 503. */
function feedServer() {
  const state = { down: false, requests: [] as string[] };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    state.requests.push(url);
    const port = (server.address() as AddressInfo).port;
    const send = (file: string, type: string, transform = (s: Buffer) => s) => {
      if (!existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': type }).end(transform(readFileSync(file)));
    };
    if (url === '/cq/atom.xml') {
      return state.down
        ? res.writeHead(503).end('maintenance')
        : send(join(FIXTURES, 'feeds/cq-warnings.atom.xml'), 'application/atom+xml');
    }
    if (url === '/rss.xml') {
      return send(join(FIXTURES, 'feeds/fengdu-signals.rss.xml'), 'application/rss+xml', (b) =>
        Buffer.from(b.toString('utf8').replace(/PORT/g, String(port))),
      );
    }
    const cap = /^\/(?:cq\/)?cap\/([\w.-]+)$/.exec(url);
    if (cap) {
      const zh = join(FIXTURES, 'cap/zh', cap[1]);
      return send(existsSync(zh) ? zh : join(FIXTURES, 'cap', cap[1]), 'application/cap+xml');
    }
    res.writeHead(404).end();
  });
  return { server, state };
}

describe('CAP feeds: polled, ingested once, errors recorded, silence raises a heartbeat alarm', () => {
  const clock = new ManualClock(new Date('2024-07-11T09:00:00+08:00'));
  const mail = new SmtpSink();
  const publisher = feedServer();
  let app: INestApplication;
  let ds: DataSource;
  let polls: FeedPollService;
  let atom: FeedSourceConfig;
  let rss: FeedSourceConfig;

  beforeAll(async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${await mail.listen(0)}`;
    await new Promise<void>((r) => publisher.server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(publisher.server.address() as AddressInfo).port}`;
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, QueueModule, FeedsModule],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: new JsonLogger('test', ['fatal']) });
    await app.init();
    ds = app.get(DataSource);
    polls = app.get(FeedPollService);
    await resetDatabase(ds);
    const common = { cron: '*/1 * * * *', enabled: true, regionCode: '500230' };
    atom = {
      ...common,
      id: 'cq-atom',
      name: '重庆预警（测试）',
      url: `${base}/cq/atom.xml`,
      maxSilenceMinutes: 60,
      trustedSenders: [],
      dutyEmail: 'duty-500230@jiaoying.local',
    };
    rss = {
      ...common,
      id: 'fengdu-rss',
      name: '丰都气象台（测试）',
      url: `${base}/rss.xml`,
      maxSilenceMinutes: 600,
      trustedSenders: ['qxt.fengdu@alerts.example.cn'],
    };
  });

  afterAll(async () => {
    await app.get<Queue>(getQueueToken(QueueName.Matching)).obliterate({ force: true });
    await app.close();
    await mail.close();
    await new Promise((r) => publisher.server.close(r));
  });

  const entries = (source: string) =>
    ds.query<Array<{ entry_key: string; outcome: string; attempts: number; error: string | null }>>(
      `SELECT entry_key, outcome, attempts, error FROM feed_entries WHERE source_id = $1 ORDER BY first_seen_at, entry_key`,
      [source],
    );

  it('ingests each new Atom entry once, oldest first (the Update finds its Alert), and records the broken link', async () => {
    const first = await polls.poll(atom);
    expect(first).toMatchObject({ ok: true, listed: 3, outcomes: { created: 1, updated: 1, fetch_failed: 1 } });
    const rows = await entries('cq-atom');
    expect(rows.find((r) => r.entry_key.endsWith('broken-link'))).toMatchObject({
      outcome: 'fetch_failed',
      error: expect.stringMatching(/HTTP 404/) as string,
    });
    const chain = await ds.query<Array<{ version: number; source: string; msg_type: string }>>(
      `SELECT version, source, msg_type FROM warnings WHERE sender = 'qxt.fengdu@alerts.example.cn' ORDER BY version`,
    );
    expect(chain).toEqual([
      { version: 1, source: 'feed', msg_type: 'alert' },
      { version: 2, source: 'feed', msg_type: 'update' },
    ]);

    const fetched = publisher.state.requests.length;
    const again = await polls.poll(atom);
    expect(again.outcomes).toEqual({ fetch_failed: 1 }); // only the failed link is tried again
    expect(publisher.state.requests.slice(fetched)).toEqual(['/cq/atom.xml', '/cq/cap/does-not-exist.xml']);
    expect((await entries('cq-atom')).find((r) => r.entry_key.endsWith('broken-link'))?.attempts).toBe(2);
    expect(await ds.query(`SELECT count(*)::int AS n FROM warnings`)).toEqual([{ n: 2 }]);
  });

  it('reads an RSS index: a drill from an untrusted sender and an invalid message are recorded, not ingested', async () => {
    const summary = await polls.poll(rss);
    expect(summary.outcomes).toEqual({ created: 1, untrusted_sender: 1, invalid: 1 });
    const rows = await entries('fengdu-rss');
    expect(rows.find((r) => r.outcome === 'invalid')?.error).toMatch(/scope: required element is missing/);
    expect(rows.find((r) => r.outcome === 'untrusted_sender')?.error).toMatch(
      /ghz\.banan@alerts\.example\.cn is not trusted/,
    );
    const refused = await ds.query<Array<{ type: string }>>(`SELECT type FROM events WHERE type = 'FeedEntryRefused'`);
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });

  it('raises one heartbeat alarm for a source silent too long (event, board row, email), and clears it when it speaks', async () => {
    const heartbeat = app.get(FeedHeartbeatService);
    expect(await heartbeat.check([atom, rss])).toEqual([]);

    clock.advance(61 * 60_000); // the Atom feed may be silent 60 minutes: polled fine, but nothing new
    expect(await polls.poll(atom)).toMatchObject({ ok: true, outcomes: { fetch_failed: 1 } });
    const raised = await heartbeat.check([atom, rss]);
    expect(raised).toEqual([
      { sourceId: 'cq-atom', kind: 'silent', message: expect.stringContaining('没有新消息') as string },
    ]);
    expect(await heartbeat.check([atom, rss])).toEqual([]); // already open: not raised twice

    const board = await app.get(WarningQueryService).feedBoard('500230');
    expect(board.alarms).toEqual([
      expect.objectContaining({ sourceId: 'cq-atom', kind: 'silent', regionCode: '500230' }),
    ]);
    expect((await app.get(WarningQueryService).feedBoard('500151')).alarms).toEqual([]);
    const [event] = await ds.query<Array<{ actor: string; data: { sourceId: string } }>>(
      `SELECT actor, data FROM events WHERE type = 'SourceSilent'`,
    );
    expect(event).toMatchObject({ actor: 'heartbeat', data: { sourceId: 'cq-atom' } });
    const email = await waitFor(() => mail.list({ to: 'duty-500230@jiaoying.local' })[0], { what: 'heartbeat email' });
    expect(email.subject).toContain('【预警源告警】重庆预警（测试）');

    // Unreachable for longer than the limit: a second kind of alarm, naming the error.
    publisher.state.down = true;
    expect(await polls.poll(atom)).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 503/) as string });
    clock.advance(61 * 60_000);
    const failing = await heartbeat.check([atom]);
    expect(failing).toEqual([
      { sourceId: 'cq-atom', kind: 'failing', message: expect.stringContaining('HTTP 503') as string },
    ]);

    // The source is back with a new entry: both alarms clear.
    publisher.state.down = false;
    await ds.query(`DELETE FROM feed_entries WHERE entry_key LIKE '%20240711083000%'`); // the Update is "new" again
    const back = await polls.poll(atom);
    expect(back.outcomes).toMatchObject({ duplicate: 1 });
    expect((await app.get(WarningQueryService).feedBoard('500000')).alarms).toEqual([]);
    expect(await ds.query(`SELECT type FROM events WHERE type = 'SourceHeardAgain'`)).toHaveLength(1);
  });
});
