import request from 'supertest';
import { DataSource } from 'typeorm';
import { EventChain, EventLog } from '@app/database';
import { waitFor } from '@app/common';
import { issueApiKey, resetDatabase } from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';

/**
 * The event log is evidence for after-action review: events are sealed into a hash chain once their transaction has
 * ended, and a re-check finds any event changed, removed or re-ordered behind the triggers' back.
 */
describe('tamper-evident event log', () => {
  jest.setTimeout(150_000);
  let api: ApiOnly;
  let ds: DataSource;
  let chain: EventChain;
  let events: EventLog;
  let commander: string;

  /** What only someone with the database owner's rights could do: switch the append-only guard off for one change. */
  const behindTheTriggers = async (sql: string, params: unknown[]) => {
    await ds.transaction(async (tx) => {
      await tx.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
      await tx.query(sql, params);
      await tx.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);
    });
  };
  /**
   * Seals until `n` events are sealed, then checks that no more are. The sealer's horizon is the oldest transaction
   * open anywhere on the PostgreSQL server, so another database's long transaction (a run beside this one) holds it
   * back for a while: the state is waited for, not assumed at once.
   */
  const sealed = async (n: number): Promise<number> => {
    let total = 0;
    await waitFor(async () => (total += await chain.seal()) >= n, { timeoutMs: 60_000, what: `${n} events sealed` });
    total += await chain.seal();
    return total;
  };
  const append = (n: number, tag: string) =>
    events.append(Array.from({ length: n }, (_, i) => ({ type: 'ChainTest', actor: 'test', data: { tag, i } })));

  beforeAll(async () => {
    api = await startApiOnly();
    ds = api.ds;
    chain = api.app.get(EventChain);
    events = api.app.get(EventLog);
  });

  beforeEach(async () => {
    await resetDatabase(ds);
    commander = await issueApiKey(ds, 'commander', 'commander', '500230');
  });

  afterAll(async () => {
    await api.stop();
  });

  it('seals ended transactions only, in order, and an open transaction’s events once it commits', async () => {
    await append(3, 'before');
    // A transaction still open when the sealer runs: neither its event nor any event of a later transaction is
    // sealed ahead of it, so the chain never has to take a late event into the middle.
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await events.append({ type: 'ChainTest', actor: 'test', data: { tag: 'open' } }, runner.manager);
      await append(2, 'after');
      expect(await sealed(3)).toBe(3);
      expect(await chain.verify()).toMatchObject({ sealed: 3, intact: true, broken: null });
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction();
      }
      await runner.release();
    }
    expect(await sealed(3)).toBe(3);
    expect(await chain.verify()).toEqual({ sealed: 6, unsealed: 0, intact: true, broken: null });
    const tags = await ds.query<Array<{ tag: string }>>(
      `SELECT e.data->>'tag' AS tag FROM event_seals s JOIN events e ON e.id = s.event_id ORDER BY s.seq`,
    );
    expect(tags.map((t) => t.tag)).toEqual(['before', 'before', 'before', 'open', 'after', 'after']);
  });

  it('names the first link that does not hold: a changed event, a removed one, a forged seal', async () => {
    await append(5, 'x');
    expect(await sealed(5)).toBe(5);
    const [third] = await ds.query<Array<{ id: string }>>(`SELECT event_id AS id FROM event_seals WHERE seq = 3`);

    await behindTheTriggers(`UPDATE events SET data = '{"tag":"rewritten"}' WHERE id = $1`, [third.id]);
    expect(await chain.verify()).toMatchObject({
      sealed: 2,
      intact: false,
      broken: { seq: 3, eventId: third.id, reason: 'content' },
    });

    // Re-hashing the changed row as the trigger would still leaves the chain link pointing at the old hash.
    await behindTheTriggers(`UPDATE events SET hash = event_content_hash(events) WHERE id = $1`, [third.id]);
    expect(await chain.verify()).toMatchObject({ intact: false, broken: { seq: 3, reason: 'chain' } });

    const res = await request(api.server)
      .get('/api/v1/event-log/integrity')
      .set('Authorization', `Bearer ${commander}`)
      .expect(200);
    expect(res.body).toMatchObject({ intact: false, broken: { seq: 3, reason: 'chain' } });
  });

  it('reports a cut-off end of the chain, and refuses changes to seals', async () => {
    await append(4, 'y');
    expect(await sealed(4)).toBe(4);
    await expect(ds.query(`DELETE FROM event_seals WHERE seq = 4`)).rejects.toThrow('append-only');
    await expect(ds.query(`UPDATE events SET actor = 'someone else'`)).rejects.toThrow('append-only');
    await ds.transaction(async (tx) => {
      await tx.query(`ALTER TABLE event_seals DISABLE TRIGGER event_seals_append_only`);
      await tx.query(`DELETE FROM event_seals WHERE seq = 4`);
      await tx.query(`ALTER TABLE event_seals ENABLE TRIGGER event_seals_append_only`);
    });
    expect(await chain.verify()).toMatchObject({ sealed: 3, intact: false, broken: { reason: 'gap' } });
  });

  it('answers the integrity check to commanders and admins only', async () => {
    const officer = await issueApiKey(ds, 'officer', 'duty_officer', '500230');
    await request(api.server).get('/api/v1/event-log/integrity').set('Authorization', `Bearer ${officer}`).expect(403);
    await request(api.server).get('/api/v1/event-log/integrity').expect(401);
    const ok = await request(api.server)
      .get('/api/v1/event-log/integrity')
      .set('Authorization', `Bearer ${commander}`)
      .expect(200);
    expect(ok.body).toEqual({ sealed: 0, unsealed: expect.any(Number) as number, intact: true, broken: null });
  });
});
