import { DataSource } from 'typeorm';
import { Clock, waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { EscalationNotices, Escalator } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import { issueKey, postCap, resetQuietly, waitMatched } from './response-support';

interface Silent {
  id: string;
  above: string;
  next: string | null;
}

/**
 * A 督办 round is an escalation wave of the warning, not a stretch of clock time: a check of round 1 that runs after
 * round 1's notice went out (a round that took longer to check than the gathering cap) joins that notice instead of
 * sending its person a second one, and the next step of the same call opens round 2. The checks are run here by hand,
 * in the order a slow round runs them; the answer deadlines themselves (red, 10 min) do not fall due meanwhile.
 */
describe('督办 rounds: one notice per person per round however long the round takes', () => {
  let p: Pipeline;
  let ds: DataSource;
  let demo: DemoSummary;
  let ingest: string;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '1', ESCALATION_GATHER_MS: '0' });
    ds = p.ds;
    await resetQuietly(ds);
    demo = await seedDemo(ds);
    ingest = await issueKey(ds, 'rounds-ingest', 'ingest', '500000');
  });

  afterAll(async () => {
    await p.stop();
  });

  const climb = async (callTaskId: string) =>
    ds.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM call_tasks WHERE id = $1 FOR UPDATE`, [callTaskId]);
      return p.app.get(Escalator).escalate(tx, callTaskId, 'no_ack', p.app.get(Clock).now());
    });
  const noticesOf = (warningId: string, personId: string) =>
    ds.query<Array<{ id: string; round: number; sent_at: Date | null }>>(
      `SELECT id, round, sent_at FROM escalation_notices WHERE warning_id = $1 AND person_id = $2 AND round > 0 ORDER BY round`,
      [warningId, personId],
    );
  /** Messages of this person's 督办 of rounds ≥ 1 (round 0: people nobody can reach, told at once). */
  const messagesOf = async (warningId: string, personId: string) =>
    (
      await ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM notices m JOIN escalation_notices e ON m.dedupe_key = 'dubang-' || e.id
       WHERE m.kind = 'escalation' AND m.warning_id = $1 AND m.person_id = $2 AND e.round > 0`,
        [warningId, personId],
      )
    )[0].n;
  const itemsOf = async (noticeId: string) =>
    (
      await ds.query<Array<{ call_task_id: string }>>(
        `SELECT call_task_id FROM escalation_notice_items WHERE notice_id = $1`,
        [noticeId],
      )
    ).map((r) => r.call_task_id);

  it('a late check of round 1 joins the sent notice; the next step opens round 2', async () => {
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'ROUNDS-LATE-CHECK',
      geocode: demo.shizhi.villageCode,
      areaDesc: '汀溪村',
    });
    await waitMatched(ds, warningId);
    // Two silent calls whose first step is the same person, with a step above it.
    const pair = await ds.query<Silent[]>(
      `SELECT t.id, t.escalation_path->0->>0 AS above, t.escalation_path->1->>0 AS next FROM call_tasks t
       WHERE t.warning_id = $1 AND t.requires_ack AND t.state IN ('pending','sent') AND t.escalation_step = 0
         AND jsonb_array_length(t.escalation_path) >= 2 AND jsonb_array_length(t.escalation_path->0) = 1
         AND t.escalation_path->0->>0 IN (SELECT x.escalation_path->0->>0 FROM call_tasks x WHERE x.warning_id = $1 AND x.requires_ack
                                          AND x.state IN ('pending','sent') AND jsonb_array_length(x.escalation_path) >= 2
                                          GROUP BY 1 HAVING count(*) >= 2)
       ORDER BY t.escalation_path->0->>0, t.id LIMIT 2`,
      [warningId],
    );
    expect(pair).toHaveLength(2);
    const [a, b] = pair;
    expect(b.above).toBe(a.above);
    const superior = a.above;

    // Round 1: A's check opens the superior's notice, which goes out (nothing else of the round is being checked).
    const opened = (await climb(a.id))?.escalationNotices ?? [];
    expect(opened).toHaveLength(1);
    const [round1] = await noticesOf(warningId, superior);
    expect(round1).toMatchObject({ id: opened[0], round: 1 });
    await waitFor(
      async () => {
        await p.app.get(EscalationNotices).send(round1.id);
        return (await noticesOf(warningId, superior))[0].sent_at;
      },
      { what: 'round 1 sent', timeoutMs: 20_000 },
    );
    const told = await messagesOf(warningId, superior);
    expect(told).toBeGreaterThanOrEqual(1);

    // B's check of the same round runs only now: it joins round 1's notice (its page), it opens no second one.
    expect((await climb(b.id))?.escalationNotices ?? []).toEqual([]);
    const after = await noticesOf(warningId, superior);
    expect(after.map((n) => n.round)).toEqual([1]);
    expect((await itemsOf(round1.id)).sort()).toEqual([a.id, b.id].sort());
    expect(await messagesOf(warningId, superior)).toBe(told);
    const [{ first_round: firstRound }] = await ds.query<Array<{ first_round: number }>>(
      `SELECT first_round FROM call_tasks WHERE id = $1`,
      [b.id],
    );
    expect(firstRound).toBe(1);

    // A's next step (its round-2 deadline) is round 2 for the person above, however early or late it is checked.
    const next = (await climb(a.id))?.escalationNotices ?? [];
    const upper = await noticesOf(warningId, a.next as string);
    const round2 = upper.find((n) => n.round === 2);
    expect(round2).toBeDefined();
    expect(next).toContain(round2?.id);
    expect(await itemsOf(round2?.id as string)).toContain(a.id);
  });
});
