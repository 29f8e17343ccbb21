import fc from 'fast-check';
import request from 'supertest';
import { TokenPurpose, TokenSigner } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DemoSummary, seedDemo } from '@app/demo';
import { AckLinks } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import { FUZZ_RUNS, FUZZ_SEED, announceSeed, refusalProblem } from './fuzz-support';
import { TaskRow, issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NOBODY = '00000000-0000-4000-8000-000000000000';

/** A hostile token and what it is; `segment` is the path segment as sent (already percent-encoded, or raw on purpose). */
interface Hostile {
  what: string;
  segment: string;
}

/** A person's answers: every row an answer by link writes (none for a refused token). */
const ANSWER_COUNTS = `SELECT json_build_object(
  'acknowledgements', (SELECT count(*) FROM acknowledgements), 'call_progress', (SELECT count(*) FROM call_progress),
  'performance_records', (SELECT count(*) FROM performance_records), 'resident_confirmations', (SELECT count(*) FROM resident_confirmations),
  'evacuation_reports', (SELECT count(*) FROM evacuation_reports), 'escalations', (SELECT count(*) FROM escalations),
  'order_targets_answered', (SELECT count(*) FROM order_targets WHERE state <> 'ordered'),
  'events_by_people', (SELECT count(*) FROM events WHERE actor LIKE 'person:%')) AS c`;

/**
 * Hostile tokens on the public answer routes (the ack link and its JSON twin, the 熔断 order page and its JSON twin, the
 * 督办 page, short links): forged, truncated, bit-flipped, expired, other-purpose, another person's, huge, unicode and
 * percent-encoded tokens are refused with a 4xx in Chinese and English and write nothing; a valid token replayed, at
 * once and one after another, records its answer once; and the service keeps answering.
 */
describe('hostile tokens on the answer routes (fuzz)', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let tasks: TaskRow[];
  let targets: Array<{ id: string; person_id: string }>;
  let links: AckLinks;
  let signer: TokenSigner;
  let kid: string;

  beforeAll(async () => {
    announceSeed('fuzz-tokens');
    // Deadlines in real minutes: nothing escalates while the fuzz runs, so every row an answer writes is the fuzz's.
    p = await startPipeline({ TIMER_SCALE: '1', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const ingest = await issueKey(p.ds, 'fuzz-ingest', 'ingest', '500000');
    const duty = await issueKey(p.ds, 'fuzz-duty', 'duty_officer', '500230');
    const { id } = await postCap(p, ingest, { identifier: 'FUZZ-TOKENS', geocode: demo.shizhi.villageCode });
    await waitMatched(p.ds, id);
    tasks = (await tasksOf(p.ds, id)).filter((t) => t.state !== 'unreachable');
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    const order = await request(p.server)
      .post('/api/v1/orders')
      .set('Authorization', `Bearer ${duty}`)
      .send({
        measure: 'road_closure',
        title: '封闭十直镇沿河道路',
        instruction: '设置路障，禁止车辆通行',
        regionCode: '500230',
        ackDeadlineMin: 60,
        executeDeadlineMin: 120,
        targets: tasks.slice(0, 3).map((t, i) => ({ personId: t.person_id, unitName: `十直镇第${i + 1}执行单位` })),
      });
    if (order.status !== 201) {
      throw new Error(`order refused: ${JSON.stringify(order.body)}`);
    }
    targets = await p.ds.query(`SELECT id, person_id FROM order_targets WHERE order_id = $1 ORDER BY id`, [
      (order.body as { id: string }).id,
    ]);
    links = p.app.get(AckLinks);
    const config = p.app.get<AppConfig>(APP_CONFIG);
    kid = config.ack.currentKid;
    signer = new TokenSigner(config.ack.keys, kid);
  });

  afterAll(async () => {
    await p?.stop();
  });

  const answerCounts = async () => (await p.ds.query<Array<{ c: Record<string, number> }>>(ANSWER_COUNTS))[0].c;
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  /** Every kind of bad token, built from the good ones of task 0 and order target 0. */
  function hostileTokens(): fc.Arbitrary<Hostile> {
    const ack = links.token(tasks[0].id, tasks[0].person_id, null);
    const order = links.orderToken(targets[0].id, targets[0].person_id);
    const good = fc.constantFrom(['ack', ack], ['order', order]);
    const enc = (what: string, token: string): Hostile => ({ what, segment: encodeURIComponent(token) });
    const b64 = (max: number) =>
      fc.string({ unit: fc.constantFrom(...B64URL.split('')), minLength: 1, maxLength: max });
    const purposes: TokenPurpose[] = ['ack', 'order', 'console', 'escalation'];
    return fc.oneof(
      // one character of a good token changed (payload or signature)
      fc.tuple(good, fc.nat(), fc.nat(B64URL.length - 2)).map(([[kind, t], at, by]) => {
        const i = at % t.length;
        const c = t[i] === '.' ? 'A' : B64URL[(B64URL.indexOf(t[i]) + 1 + by) % B64URL.length];
        return enc(`${kind} token, char ${i} changed`, t.slice(0, i) + c + t.slice(i + 1));
      }),
      fc
        .tuple(good, fc.nat())
        .map(([[kind, t], n]) =>
          enc(`${kind} token truncated to ${n % t.length}`, t.slice(0, Math.max(1, n % t.length))),
        ),
      fc.tuple(good, b64(40)).map(([[kind, t], tail]) => enc(`${kind} token with a tail`, t + tail)),
      // signed with a key that is not ours, claims as ours
      fc.tuple(fc.constantFrom(...purposes), b64(40)).map(([pur, secret]) =>
        enc(
          `forged ${pur} token`,
          new TokenSigner({ [kid]: `x${secret}` }, kid).sign({
            sub: tasks[0].id,
            per: tasks[0].person_id,
            pur,
            exp: inAnHour(),
          }),
        ),
      ),
      // a key id that names something every object has
      fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'k1 '), b64(43))
        .map(([kid, sig]) => {
          const payload = Buffer.from(
            JSON.stringify({ sub: tasks[0].id, per: tasks[0].person_id, pur: 'ack', exp: inAnHour(), kid }),
          ).toString('base64url');
          return enc(`token with key id ${JSON.stringify(kid)}`, `${payload}.${sig}`);
        }),
      fc.tuple(fc.constantFrom<TokenPurpose>('ack', 'order'), fc.integer({ min: 1, max: 2 ** 31 })).map(([pur, ago]) =>
        enc(
          `${pur} token expired ${ago} s ago`,
          signer.sign({
            sub: pur === 'ack' ? tasks[0].id : targets[0].id,
            per: tasks[0].person_id,
            pur,
            exp: Math.floor(Date.now() / 1000) - ago,
          }),
        ),
      ),
      // a good signature for another purpose, or for another person's call or order
      fc
        .constantFrom(...purposes.filter((x) => x !== 'ack'))
        .map((pur) =>
          enc(
            `${pur} token of call 0`,
            signer.sign({ sub: tasks[0].id, per: tasks[0].person_id, pur, exp: inAnHour() }),
          ),
        ),
      fc
        .constantFrom(...purposes.filter((x) => x !== 'order'))
        .map((pur) =>
          enc(
            `${pur} token of order target 0`,
            signer.sign({ sub: targets[0].id, per: targets[0].person_id, pur, exp: inAnHour() }),
          ),
        ),
      fc
        .nat(2)
        .map((i) =>
          enc(
            `ack token of call ${i + 1} for person 0`,
            signer.sign({ sub: tasks[i + 1].id, per: tasks[0].person_id, pur: 'ack', exp: inAnHour() }),
          ),
        ),
      fc
        .nat(1)
        .map((i) =>
          enc(
            `order token of target ${i + 1} for person 0`,
            signer.sign({ sub: targets[i + 1].id, per: targets[0].person_id, pur: 'order', exp: inAnHour() }),
          ),
        ),
      // well signed (only a key holder could), odd claims: the service still answers 4xx
      fc
        .tuple(
          fc.constantFrom<TokenPurpose>('ack', 'order'),
          fc.oneof(fc.string(), fc.constant(NOBODY), fc.integer()),
          fc.oneof(fc.string(), fc.constant(NOBODY)),
        )
        .map(([pur, sub, per]) =>
          enc(
            `${pur} token for ${JSON.stringify(sub)}/${JSON.stringify(per)}`,
            signer.sign({ sub: sub as string, per, pur, exp: 2 ** 40 }),
          ),
        ),
      fc.tuple(b64(6000), b64(100)).map(([a, b]) => enc(`huge token of ${a.length + b.length} chars`, `${a}.${b}`)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).map((s) => enc('unicode token', s)),
      fc
        .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 50 }), good)
        .map(([s, [kind, t]]) => enc(`${kind} token with unicode inside`, t.slice(0, 20) + s + t.slice(20))),
      // percent-encoding sent as is: malformed escapes, NUL, dot segments, encoded slashes
      fc
        .constantFrom(
          '%',
          '%E0%A4%A',
          '%ZZ',
          '%00',
          '%2e%2e',
          '..%2F..%2Fapi%2Fv1%2Fhealth',
          '%C0%AE',
          '%FF%FE',
          '%2F',
          '%25',
          `${encodeURIComponent(ack)}%00`,
          `${ack}%2F`,
        )
        .map((segment) => ({ what: `raw path ${segment.slice(0, 40)}`, segment })),
    );
  }

  /** A form or JSON body for the answer, sometimes fine, often not. */
  const answerBody = fc.oneof(
    fc.record({ response: fc.constantFrom('received', 'on_post', 'evacuating', 'cannot_comply') }),
    fc.record(
      {
        response: fc.constantFrom('received', 'cannot_comply'),
        note: fc.string({ maxLength: 300 }),
        headCount: fc.oneof(fc.integer(), fc.string()),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        action: fc.constantFrom('acknowledge', 'execute', 'lift', ''),
        note: fc.string({ maxLength: 600 }),
        photoUrl: fc.oneof(fc.webUrl(), fc.string()),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'response', 'action', 'prototype'),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  );

  /** The token-bearing routes: [method, path, JSON body or form]. */
  const ROUTES: Array<[string, (segment: string) => string, 'json' | 'form' | 'none']> = [
    ['get', (s) => `/ack/${s}`, 'none'],
    ['post', (s) => `/ack/${s}`, 'form'],
    ['post', (s) => `/api/v1/ack/${s}`, 'json'],
    ['post', (s) => `/api/v1/ack/${s}/residents/${NOBODY}`, 'json'],
    ['post', (s) => `/ack/${s}/residents/${NOBODY}`, 'form'],
    ['get', (s) => `/order/${s}`, 'none'],
    ['post', (s) => `/order/${s}`, 'form'],
    ['post', (s) => `/api/v1/order-targets/${s}`, 'json'],
    ['get', (s) => `/escalation/${s}`, 'none'],
    ['post', (s) => `/escalation/${s}`, 'form'],
    ['get', (s) => `/a/${s}`, 'none'],
  ];

  function send(route: (typeof ROUTES)[number], segment: string, body: Record<string, unknown>) {
    const [method, path, kind] = route;
    const req = request(p.server)[method as 'get' | 'post'](path(segment)).redirects(0);
    if (kind === 'json') {
      return req.send(body);
    }
    // A form carries strings only.
    return kind === 'form'
      ? req
          .type('form')
          .send(
            Object.fromEntries(
              Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            ),
          )
      : req;
  }

  it('refuses every hostile token on every answer route with a clear 4xx and writes nothing', async () => {
    const before = await answerCounts();
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(hostileTokens(), fc.nat(ROUTES.length - 1), answerBody, async (token, r, body) => {
        const res = await send(ROUTES[r], token.segment, body);
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        const problem = refusalProblem(res);
        if (problem) {
          throw new Error(
            `${ROUTES[r][0].toUpperCase()} ${ROUTES[r][1](token.segment).slice(0, 120)} (${token.what}): ${problem}`,
          );
        }
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS * 4, endOnFailure: true },
    );
    process.stdout.write(`fuzz-tokens: ${FUZZ_RUNS * 4} hostile requests, statuses ${JSON.stringify(seen)}\n`);
    expect(await answerCounts()).toEqual(before);
    await request(p.server).get('/api/v1/health').expect(200);
  }, 120_000);

  it('names each kind of refusal: 404 for a forged or foreign token, 410 for an expired one', async () => {
    const t = tasks[0];
    const expired = signer.sign({ sub: t.id, per: t.person_id, pur: 'ack', exp: Math.floor(Date.now() / 1000) - 1 });
    const protoKid = `${Buffer.from(JSON.stringify({ sub: t.id, per: t.person_id, pur: 'ack', exp: inAnHour(), kid: 'constructor' })).toString('base64url')}.${'A'.repeat(43)}`;
    const cases: Array<[string, string, number]> = [
      ['expired', expired, 410],
      ['key id constructor', protoKid, 404],
      ['order token', links.orderToken(t.id, t.person_id), 404],
      ['another person', signer.sign({ sub: tasks[1].id, per: t.person_id, pur: 'ack', exp: inAnHour() }), 404],
      ['not a call id', signer.sign({ sub: 'x', per: t.person_id, pur: 'ack', exp: inAnHour() }), 404],
    ];
    for (const [what, token, status] of cases) {
      const res = await request(p.server)
        .post(`/api/v1/ack/${encodeURIComponent(token)}`)
        .send({ response: 'received' });
      expect({ what, status: res.status, problem: refusalProblem(res) }).toEqual({ what, status, problem: null });
    }
    const orderExpired = signer.sign({
      sub: targets[0].id,
      per: targets[0].person_id,
      pur: 'order',
      exp: Math.floor(Date.now() / 1000) - 1,
    });
    await request(p.server).post(`/api/v1/order-targets/${orderExpired}`).send({ action: 'acknowledge' }).expect(410);
    await request(p.server)
      .post(`/api/v1/order-targets/${links.token(t.id, t.person_id, null)}`)
      .send({ action: 'acknowledge' })
      .expect(404);
  });

  it('records a replayed ack token once, whether the copies come together or one after another', async () => {
    const t = tasks[3];
    const token = links.token(t.id, t.person_id, null);
    const together = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2
          ? request(p.server).post(`/api/v1/ack/${token}`).send({ response: 'received' })
          : request(p.server).post(`/ack/${token}`).type('form').send({ response: 'received' }),
      ),
    );
    expect(together.map((r) => r.status).filter((s) => s !== 200 && s !== 303)).toEqual([]);
    for (let i = 0; i < 5; i++) {
      const again = await request(p.server).post(`/api/v1/ack/${token}`).send({ response: 'received' }).expect(200);
      expect((again.body as { alreadyAcknowledged: boolean }).alreadyAcknowledged).toBe(true);
    }
    const [row] = await p.ds.query<Array<{ acks: number; events: number; records: number }>>(
      `SELECT (SELECT count(*)::int FROM acknowledgements WHERE call_task_id = $1) AS acks,
              (SELECT count(*)::int FROM events WHERE call_task_id = $1 AND type IN ('CallAcknowledged', 'CallAcknowledgedLate')) AS events,
              (SELECT count(*)::int FROM performance_records WHERE call_task_id = $1) AS records`,
      [t.id],
    );
    expect(row).toEqual({ acks: 1, events: 1, records: 1 });
  });

  it('records a replayed order token once per step', async () => {
    const target = targets[2];
    const token = links.orderToken(target.id, target.person_id);
    const acks = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(p.server).post(`/api/v1/order-targets/${token}`).send({ action: 'acknowledge' }),
      ),
    );
    expect(acks.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const executes = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(p.server).post(`/order/${token}`).type('form').send({ action: 'execute', note: '已封闭沿河道路' }),
      ),
    );
    expect(executes.map((r) => r.status).filter((s) => s !== 303)).toEqual([]);
    const events = await p.ds.query<Array<{ type: string; n: number }>>(
      `SELECT type, count(*)::int AS n FROM events WHERE data->>'targetId' = $1 AND type NOT IN ('OrderLinkOpened', 'OrderEscalated') GROUP BY type ORDER BY type`,
      [target.id],
    );
    expect(events.map((e) => [e.type, e.n])).toEqual([
      ['OrderAcknowledged', 1],
      ['OrderExecuted', 1],
    ]);
    const [state] = await p.ds.query<Array<{ state: string }>>(`SELECT state FROM order_targets WHERE id = $1`, [
      target.id,
    ]);
    expect(state.state).toBe('executed');
    await request(p.server).get('/api/v1/health').expect(200);
  });
});
