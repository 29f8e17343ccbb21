import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '@app/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule, PendingReceiptsRepository } from '@app/database';
import { AttemptStore, type StatusUpdate } from '@app/delivery';
import { insertPerson, insertUnit, insertWarningWithCalls, resetDatabase } from '@app/testing';

/**
 * A provider's answer recorded for an attempt that is already final (a late answer, an answer written again after
 * an outage) changes nothing: no event, and its call is not marked sent. Only the rows the batch changed count.
 * A receipt that outran its answer's write waits, and is found ready once the write is there.
 */
describe('attempt outcomes written in batches', () => {
  let ds: DataSource;
  let store: AttemptStore;
  let close: () => Promise<void>;
  let app: () => INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule],
      providers: [AttemptStore, { provide: Clock, useValue: new SystemClock() }],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    await nest.init();
    app = () => nest;
    close = () => nest.close();
    ds = nest.get(DataSource);
    store = nest.get(AttemptStore);
    await resetDatabase(ds);
    await insertUnit(ds, { code: '500230', name: '测试县', level: 'county', lon: 107.7, lat: 29.9, r: 0.3 });
  });

  afterAll(() => close());

  /** A pending call of a new warning with one SMS attempt in `status`. */
  async function attemptIn(status: string): Promise<StatusUpdate['attempt']> {
    const personId = await insertPerson(ds, { name: '张三', unitCode: '500230' });
    const warningId = await insertWarningWithCalls(ds, {
      headline: '测试县暴雨红色预警',
      sent: new Date(),
      unitCode: '500230',
      calls: [{ personId, answeredAfterS: null, state: 'pending' }],
    });
    const [row] = await ds.query<Array<{ id: string; call_task_id: string }>>(
      `WITH c AS (INSERT INTO contact_methods (person_id, channel, address, priority) VALUES ($1, 'sms', '13800000000', 1) RETURNING id)
       INSERT INTO attempts (call_task_id, channel, contact_method_id, rung, idempotency_key, status)
       SELECT t.id, 'sms', c.id, 0, t.id || '-r0-sms', $3 FROM call_tasks t, c WHERE t.warning_id = $2
       RETURNING id, call_task_id`,
      [personId, warningId, status],
    );
    return { id: row.id, call_task_id: row.call_task_id, warning_id: warningId, channel: 'sms' };
  }

  const accepted = (attempt: StatusUpdate['attempt']): StatusUpdate => ({
    attempt,
    status: 'accepted',
    provider: 'alibaba-sim',
    messageId: `biz-${attempt.id}`,
    error: null,
    at: new Date(),
  });

  const stateOf = async (attempt: StatusUpdate['attempt']) => {
    const [row] = await ds.query<Array<{ status: string; state: string; events: number }>>(
      `SELECT a.status, t.state, (SELECT count(*)::int FROM events e WHERE e.data->>'attemptId' = a.id::text) AS events
       FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE a.id = $1`,
      [attempt.id],
    );
    return row;
  };

  it('records an answer once: the call sent and one event', async () => {
    const attempt = await attemptIn('sending');
    await store.record(accepted(attempt));
    expect(await stateOf(attempt)).toEqual({ status: 'accepted', state: 'sent', events: 1 });
    await store.record(accepted(attempt));
    expect(await stateOf(attempt)).toEqual({ status: 'accepted', state: 'sent', events: 1 });
  });

  it('an answer for an attempt already final records nothing, in a batch with one that counts', async () => {
    const failed = await attemptIn('failed');
    const sending = await attemptIn('sending');
    await Promise.all([store.record(accepted(failed)), store.record(accepted(sending))]);
    expect(await stateOf(failed)).toEqual({ status: 'failed', state: 'pending', events: 0 });
    expect(await stateOf(sending)).toEqual({ status: 'accepted', state: 'sent', events: 1 });
  });

  it('a waiting receipt is ready once its attempt is accepted', async () => {
    const pending = app().get(PendingReceiptsRepository);
    const attempt = await attemptIn('sending');
    const messageId = `biz-${attempt.id}`;
    await pending.hold(ds.manager, [
      { carrier: 'alibaba', messageId, status: 'delivered', code: 'DELIVERED', at: new Date() },
    ]);
    const ready = async () => (await pending.ready(ds.manager)).map((r) => r.message_id);
    expect(await ready()).toEqual([]);
    await store.record(accepted(attempt));
    expect(await ready()).toEqual([messageId]);
  });
});
