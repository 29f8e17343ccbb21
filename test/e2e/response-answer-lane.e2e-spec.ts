import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DemoSummary, seedDemo } from '@app/demo';
import { Pipeline, startPipeline } from '../support/pipeline';
import { TaskRow, issueKey, postCap, resetQuietly, tasksOf, tokenFor, waitMatched } from './response-support';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** Express names itself on every answer it gives; the answer lane does not. */
  byExpress: boolean;
}

/**
 * `POST /api/v1/ack/:token` with a small JSON body is answered by the answer lane, in front of Express; the same
 * request sent chunked (no Content-Length) cannot be judged before it is read and goes through Express and Nest.
 * Both must give the same answers, write the same rows, and share one rate limit.
 */
describe('the answer lane', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let tasks: TaskRow[];
  let port: number;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '1', ACK_RATE_PER_SECOND: '30' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    const { id } = await postCap(p, ingest, { identifier: 'ANSWER-LANE', geocode: demo.shizhi.villageCode });
    await waitMatched(p.ds, id);
    tasks = (await tasksOf(p.ds, id)).filter((t) => t.requires_ack && t.state !== 'unreachable');
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    port = (p.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await p.stop();
  });

  const post = (path: string, body: string, chunked: boolean, type = 'application/json'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': type };
      if (!chunked) {
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            byExpress: res.headers['x-powered-by'] === 'Express',
          }),
        );
      });
      req.on('error', reject);
      if (chunked) {
        req.write(body.slice(0, 1));
      }
      req.end(chunked ? body.slice(1) : body);
    });

  /** Both ways, on two fresh calls of the same warning (or the same path, for answers that write nothing). */
  const bothWays = async (pathOf: (t: TaskRow) => string, body: string, [a, b]: TaskRow[], type?: string) => {
    const lane = await post(pathOf(a), body, false, type);
    const full = await post(pathOf(b), body, true, type);
    expect(lane.byExpress).toBe(false);
    expect(full.byExpress).toBe(true);
    return { lane, full };
  };
  const link = (t: TaskRow) => `/api/v1/ack/${tokenFor(p, t)}`;
  const without = (body: Record<string, unknown>, ...keys: string[]) =>
    Object.fromEntries(Object.entries(body).filter(([k]) => !keys.includes(k)));
  const written = async (t: TaskRow) =>
    p.ds.query<Array<{ response: string; method: string; events: number; records: number }>>(
      `SELECT a.response, a.method,
              (SELECT count(*)::int FROM events e WHERE e.call_task_id = a.call_task_id AND e.type = 'CallAcknowledged') AS events,
              (SELECT count(*)::int FROM performance_records r WHERE r.call_task_id = a.call_task_id) AS records
       FROM acknowledgements a WHERE a.call_task_id = $1`,
      [t.id],
    );

  it('records a first answer and its repeat as the full route does', async () => {
    const pair = tasks.slice(0, 2);
    const first = await bothWays(link, JSON.stringify({ response: 'received', note: '收到' }), pair);
    expect(first.lane.status).toBe(200);
    expect(without(first.lane.body, 'callTaskId', 'acknowledgedAt')).toEqual(
      without(first.full.body, 'callTaskId', 'acknowledgedAt'),
    );
    expect(first.lane.body).toMatchObject({ callTaskId: pair[0].id, alreadyAcknowledged: false, response: 'received' });
    expect(await written(pair[0])).toEqual(await written(pair[1]));
    expect(await written(pair[0])).toEqual([{ response: 'received', method: 'link', events: 1, records: 1 }]);

    const again = await bothWays(link, JSON.stringify({ response: 'received' }), pair);
    expect(again.lane.body).toMatchObject({ callTaskId: pair[0].id, alreadyAcknowledged: true });
    expect(without(again.lane.body, 'callTaskId', 'acknowledgedAt')).toEqual(
      without(again.full.body, 'callTaskId', 'acknowledgedAt'),
    );
    expect(await written(pair[0])).toEqual([{ response: 'received', method: 'link', events: 1, records: 1 }]);
  });

  it('refuses what the full route refuses, with the same status and message, writing nothing', async () => {
    const [a, b] = tasks.slice(2, 4);
    const forged = () => `/api/v1/ack/${tokenFor(p, a).slice(0, -2)}xx`;
    const latin1 = 'application/json; charset=latin1';
    const cases: Array<[string, (t: TaskRow) => string, string, number, string?]> = [
      ['not JSON', link, '{"response": ', 400],
      ['a JSON string', link, '"received"', 400],
      ['an unknown field', link, JSON.stringify({ response: 'received', respons: 'x' }), 400],
      ['an unknown response', link, JSON.stringify({ response: 'maybe' }), 400],
      ['an empty body', link, '', 400],
      ['a note too long', link, JSON.stringify({ response: 'received', note: '长'.repeat(201) }), 400],
      ['a forged token', forged, JSON.stringify({ response: 'received' }), 404],
      ['a charset JSON does not come in', link, JSON.stringify({ response: 'received' }), 415, latin1],
    ];
    for (const [what, pathOf, body, status, type] of cases) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { lane, full } = await bothWays(pathOf, body, [a, b], type);
      expect({ what, status: lane.status, body: lane.body }).toEqual({ what, status, body: full.body });
      expect(String(lane.body.message)).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await written(a)).toEqual([]);
    expect(await written(b)).toEqual([]);
  });

  it('leaves other content types to the full route', async () => {
    const t = tasks[4];
    const form = await post(link(t), 'response=received', false, 'application/x-www-form-urlencoded');
    expect(form).toMatchObject({ status: 200, byExpress: true, body: { callTaskId: t.id, response: 'received' } });
  });

  it('counts its requests and the full route’s against one limit per IP', async () => {
    // A fresh one-second window, then more requests than the limit (30) both ways: the rest are refused.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const body = JSON.stringify({ response: 'received' });
    const t = tasks[0];
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => post(link(t), body, i % 2 === 1)));
    const refused = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(30);
    expect(refused).toHaveLength(10);
    expect(refused[0].body.error).toBe('too_many_requests');
    expect(refused[0].body.message).toMatch(/请求过于频繁/);
  });
});
