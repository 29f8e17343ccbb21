import request from 'supertest';
import { DataSource } from 'typeorm';
import { seedDemo } from '@app/demo';
import { AckService } from '@app/response';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import {
  answer,
  capTime,
  issueKey,
  postCap,
  resetQuietly,
  TaskRow,
  tasksOf,
  tokenFor,
  waitMatched,
} from './response-support';

/**
 * A burst of answers is written together (several answers to one transaction), and each is still judged on its own:
 * every call answered once however many times it is pressed at the same moment, a link used for another person's
 * call refused without touching anything, a lift notice taking 已收到 only, nothing lost of the answer's record.
 */
describe('answers in a burst', () => {
  let env: SimulatedPipeline;
  let p: Pipeline;
  let ds: DataSource;
  let ingest: string;

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: 'e2e-burst-secret-0123456789abcdef',
      env: { TIMER_SCALE: '1', ACK_RATE_PER_SECOND: '10000' },
    });
    p = env.p;
    ds = p.ds;
    await resetQuietly(ds);
    await seedDemo(ds);
    ingest = await issueKey(ds, 'burst-ingest', 'ingest', '500000');
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  const count = async (sql: string, params: unknown[]) => (await ds.query<Array<{ n: number }>>(sql, params))[0].n;
  /** How many transactions wrote these calls' answers (events carry their transaction). */
  const answerTransactions = (ids: string[]) =>
    count(
      `SELECT count(DISTINCT tx)::int AS n FROM events WHERE type IN ('CallAcknowledged', 'CallAcknowledgedLate') AND call_task_id = ANY($1::uuid[])`,
      [ids],
    );
  /** A red warning over 十直镇, matched: its calls waiting for an answer. */
  const redOverTown = async (identifier: string) => {
    const demo = await seedDemo(ds);
    const red = await postCap(p, ingest, {
      identifier,
      sent: capTime(-60_000),
      geocode: demo.shizhi.townCode,
      areaDesc: demo.shizhi.townName,
    });
    await waitMatched(ds, red.id);
    const tasks = (await tasksOf(ds, red.id)).filter((t) => t.requires_ack);
    expect(tasks.length).toBeGreaterThanOrEqual(40);
    return tasks;
  };

  it('records every call once when all are pressed twice at the same moment, and refuses a link for someone else', async () => {
    const tasks = await redOverTown('BURST-RED');
    const [stranger, victim] = [tasks[0], tasks[1]];
    const forged = tokenFor(p, { id: victim.id, person_id: stranger.person_id });
    const answerers = tasks.slice(2);

    const responses = await Promise.all([
      ...answerers.flatMap((t: TaskRow, i) => [answer(p, t, i % 2 ? 'on_post' : 'received'), answer(p, t, 'received')]),
      request(p.server).post(`/api/v1/ack/${forged}`).send({ response: 'received' }),
    ]);
    const forgedRes = responses.pop()!;
    expect(forgedRes.status).toBe(404);
    expect((forgedRes.body as { message: string }).message).toMatch(/确认链接无效.*unknown call/);
    expect(responses.filter((r) => r.status !== 200).map((r) => [r.status, r.body as unknown])).toEqual([]);
    // Of the two presses of each call, exactly one is the first answer.
    for (let i = 0; i < answerers.length; i++) {
      const firsts = [responses[2 * i], responses[2 * i + 1]].filter(
        (r) => (r.body as { alreadyAcknowledged: boolean }).alreadyAcknowledged === false,
      );
      expect(firsts).toHaveLength(1);
    }
    const ids = answerers.map((t) => t.id);
    expect(
      await count(`SELECT count(*)::int AS n FROM acknowledgements WHERE call_task_id = ANY($1::uuid[])`, [ids]),
    ).toBe(ids.length);
    expect(
      await count(
        `SELECT count(DISTINCT call_task_id)::int AS n FROM acknowledgements WHERE call_task_id = ANY($1::uuid[])`,
        [ids],
      ),
    ).toBe(ids.length);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM events WHERE type IN ('CallAcknowledged', 'CallAcknowledgedLate') AND call_task_id = ANY($1::uuid[])`,
        [ids],
      ),
    ).toBe(ids.length);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM performance_records WHERE kind IN ('answered', 'answered_late') AND call_task_id = ANY($1::uuid[])`,
        [ids],
      ),
    ).toBe(ids.length);
    expect(
      await count(`SELECT count(*)::int AS n FROM call_tasks WHERE state <> 'acknowledged' AND id = ANY($1::uuid[])`, [
        ids,
      ]),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM attempts WHERE status = 'queued' AND call_task_id = ANY($1::uuid[])`,
        [ids],
      ),
    ).toBe(0);
    // How many statements the presses went in depends on how the requests arrived (the next test pins the batching).
    const transactions = await answerTransactions(ids);
    process.stdout.write(
      `answer burst: ${ids.length} calls pressed twice at once, written in ${transactions} transactions\n`,
    );
    // The forged link changed nothing of the victim's call.
    expect(await count(`SELECT count(*)::int AS n FROM acknowledgements WHERE call_task_id = $1`, [victim.id])).toBe(0);
    expect(
      await count(`SELECT count(*)::int AS n FROM call_tasks WHERE id = $1 AND state = 'acknowledged'`, [victim.id]),
    ).toBe(0);
  }, 180_000);

  it('writes the plain answers that arrive in one turn of the event loop together, each once', async () => {
    const tasks = (await redOverTown('BURST-ONE-TURN')).filter((t) => t.state !== 'unreachable');
    const acks = p.app.get(AckService);
    // Every answer handed over before the first is written, as requests read in one turn are.
    const results = await Promise.all(
      tasks.map((t) => acks.acknowledgeByToken(tokenFor(p, t), { response: 'received' })),
    );
    expect(results.every((r) => !r.alreadyAcknowledged)).toBe(true);
    const ids = tasks.map((t) => t.id);
    expect(
      await count(`SELECT count(*)::int AS n FROM acknowledgements WHERE call_task_id = ANY($1::uuid[])`, [ids]),
    ).toBe(ids.length);
    // One statement, which is its own transaction, for all of them (each alone would have been one each).
    expect(await answerTransactions(ids)).toBe(1);
  }, 120_000);
});
