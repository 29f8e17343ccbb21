import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventFeed, EventLog, FeedCursor } from '@app/database';
import { resetDatabase } from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';

/**
 * The board's change feed reads the event log by snapshot: each committed event once, when its transaction commits,
 * whatever order transactions began and committed in; a rolled-back one never, and it holds nothing up.
 */
describe('event feed', () => {
  let api: ApiOnly;
  let ds: DataSource;
  let feed: EventFeed;
  let events: EventLog;

  const warningsIn = async (from: FeedCursor) => {
    const { touches, next } = await feed.since(from);
    return { warnings: touches.map((t) => t.warning).sort(), next };
  };
  const openTransaction = async (warningId: string) => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await events.append({ type: 'FeedTest', warningId, actor: 'test' }, runner.manager);
    return runner;
  };

  beforeAll(async () => {
    api = await startApiOnly();
    ds = api.ds;
    feed = new EventFeed(ds);
    events = api.app.get(EventLog);
  });

  beforeEach(async () => {
    await resetDatabase(ds);
  });

  afterAll(async () => {
    await api.stop();
  });

  it('reads each committed event once, a transaction that began earlier but committed later included', async () => {
    const [early, later, late, rolledBack] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const start = await feed.now();
    const first = await openTransaction(early);
    const doomed = await openTransaction(rolledBack);
    await events.append({ type: 'FeedTest', warningId: later, actor: 'test' });

    const a = await warningsIn(start);
    expect(a.warnings).toEqual([later]);

    await first.commitTransaction();
    await first.release();
    await doomed.rollbackTransaction();
    await doomed.release();
    await events.append({ type: 'FeedTest', warningId: late, actor: 'test' });

    const b = await warningsIn(a.next);
    expect(b.warnings).toEqual([early, late].sort());
    const c = await warningsIn(b.next);
    expect(c.warnings).toEqual([]);
  });

  it('starts from now: what committed before the reader started is not handed on', async () => {
    await events.append({ type: 'FeedTest', warningId: randomUUID(), actor: 'test' });
    const start = await feed.now();
    expect((await warningsIn(start)).warnings).toEqual([]);
  });
});
