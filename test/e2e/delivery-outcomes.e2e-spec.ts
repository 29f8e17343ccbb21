import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '@app/common';
import { ConfigModule } from '@app/config';
import {
  AttemptsRepository,
  attemptsOfStoppingChains,
  DatabaseModule,
  PendingReceiptsRepository,
  whileStoppingChain,
} from '@app/database';
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

  const chainOf = async (attempt: StatusUpdate['attempt']) =>
    (
      await ds.query<Array<{ chain_id: string }>>(`SELECT chain_id FROM warnings WHERE id = $1`, [attempt.warning_id])
    )[0].chain_id;

  it('claims nothing of a chain being stopped, in the same batch as a claim that goes through, and claims it after', async () => {
    const held = await attemptIn('queued');
    const free = await attemptIn('queued');
    const during = await whileStoppingChain(ds, await chainOf(held), () =>
      // Submitted together: one claim statement for both.
      Promise.all([store.claim(held.id), store.claim(free.id)]),
    );
    expect(during[0]).toBe('stopping');
    expect(during[1]).toMatchObject({ id: free.id, call_task_id: free.call_task_id, tries: 1, task_state: 'pending' });
    expect(await stateOf(held)).toMatchObject({ status: 'queued' });
    expect(await stateOf(free)).toMatchObject({ status: 'sending' });
    // The stop failed (nothing cancelled): the attempt is claimed and sent.
    expect(await store.claim(held.id)).toMatchObject({ id: held.id, tries: 1 });
  });

  it('claims nothing a stop cancelled, and answers busy for a claim another sender holds', async () => {
    const cancelled = await attemptIn('queued');
    await whileStoppingChain(ds, await chainOf(cancelled), (manager) =>
      manager.query(`UPDATE attempts SET status = 'cancelled' WHERE id = $1`, [cancelled.id]),
    );
    const held = await attemptIn('queued');
    await ds.query(`UPDATE attempts SET status = 'sending', claimed_at = now() WHERE id = $1`, [held.id]);
    expect(await Promise.all([store.claim(cancelled.id), store.claim(held.id)])).toEqual([null, 'busy']);
  });

  it("holds a chain's stop until the claim's transaction has committed", async () => {
    const attempt = await attemptIn('queued');
    const chainId = await chainOf(attempt);
    // A claim transaction left open: the stop must wait for it, then find the attempt claimed.
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      // As AttemptStore claims: the barrier, then the claim, in one transaction.
      expect(await attemptsOfStoppingChains(runner.manager, [attempt.id])).toEqual(new Set());
      const claimed = await app()
        .get(AttemptsRepository)
        .claim(runner.manager, [attempt.id], { now: new Date(), reclaimBefore: new Date(0) }, 1000);
      expect(claimed.map((r) => r.id)).toEqual([attempt.id]);
      let stopped = false;
      const stop = whileStoppingChain(ds, chainId, async (manager) => {
        stopped = true;
        return (
          await manager.query<Array<{ status: string }>>(`SELECT status FROM attempts WHERE id = $1`, [attempt.id])
        )[0].status;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped).toBe(false);
      await runner.commitTransaction();
      expect(await stop).toBe('sending');
    } finally {
      await runner.release();
    }
  });
});
