import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DEMO_STATIONS, DemoSummary, seedDemo, seedDemoStations } from '@app/demo';
import { resetDatabase } from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';
import { FUZZ_RUNS, FUZZ_SEED, HostileRequests, announceSeed } from './fuzz-support';
import { issueKey } from './ingest-helpers';

const ALERT = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/cap/zh/rainstorm-red-shizhi.json'), 'utf8'),
) as Record<string, unknown>;

/** Values of the wrong type, size or shape for any field. */
const junk = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    '',
    ' ',
    'NaN',
    'Infinity',
    '1e309',
    '0x10',
    '²',
    '\u0000',
    '<script>',
    '{}',
    '[]',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('x'.repeat(100_000), '暴'.repeat(20_000)),
);
/** A sensible value four times in five, junk otherwise. */
const mostly = <T>(fine: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fine, weight: 4 }, { arbitrary: junk, weight: 1 });
/** JSON nested this deep (arrays or objects), as text: JSON.parse takes it, code that walks it may not. */
const deep = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );
/** Keys that pollute a prototype when merged naively, with what they try to plant. */
const POLLUTERS = [
  '"__proto__": {"polluted": "yes", "isAdmin": true}',
  '"constructor": {"prototype": {"polluted": "yes"}}',
  '"prototype": {"role": "admin"}',
];

/** Replaces the value at `path` of a JSON object given as text, or adds a key: text-level, so `__proto__` stays a key. */
function withField(base: Record<string, unknown>, path: readonly string[], valueJson: string | undefined): string {
  const clone = structuredClone(base);
  let at: Record<string, unknown> = clone;
  for (const key of path.slice(0, -1)) {
    at = (at[key] ?? (at[key] = {})) as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  const marker = '__fuzz_value__';
  if (valueJson === undefined) {
    delete at[last];
    return JSON.stringify(clone);
  }
  at[last] = marker;
  return JSON.stringify(clone).replace(`"${marker}"`, valueJson);
}

/**
 * Hostile input to the ingest endpoints: the JSON alert body (wrong types, missing fields, huge arrays, deep nesting,
 * invalid geometry, prototype-pollution keys), sensor readings and fire ratings. Every refusal is a 4xx in Chinese
 * and English and leaves every table as it was; no key plants anything on Object.prototype; the service keeps answering.
 */
describe('hostile input to the ingest endpoints (fuzz)', () => {
  let api: ApiOnly;
  let demo: DemoSummary;
  let ingest: string;

  beforeAll(async () => {
    announceSeed('fuzz-alerts');
    api = await startApiOnly();
    await resetDatabase(api.ds);
    demo = await seedDemo(api.ds);
    await seedDemoStations(api.ds);
    ingest = await issueKey(api.ds, 'fuzz-ingest', 'ingest', '500000');
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('answers hostile JSON alert bodies with 2xx or a clear 4xx, writing nothing when it refuses', async () => {
    const hostile = new HostileRequests(api.ds);
    const paths = [
      ['identifier'],
      ['sender'],
      ['sent'],
      ['status'],
      ['msgType'],
      ['scope'],
      ['references'],
      ['info'],
      ['info', 'event'],
      ['info', 'severity'],
      ['info', 'eventCode'],
      ['info', 'onset'],
      ['info', 'expires'],
      ['info', 'parameter'],
      ['info', 'area'],
      ['info', 'area', 'polygon'],
      ['info', 'area', 'circle'],
      ['info', 'area', 'geocode'],
      ['info', 'area', 'areaDesc'],
    ];
    const polygon = fc.oneof(
      fc.constantFrom(
        '29.90,107.80 29.95,107.90 29.90,107.90 29.95,107.80 29.90,107.80', // bow-tie
        '29.9,107.8 29.95,107.9',
        '29.9,107.8 29.95,107.9 29.9,107.95',
        '91,181 92,182 93,183 91,181',
        '-91,-181 0,0 1,1 -91,-181',
        'NaN,NaN NaN,NaN NaN,NaN NaN,NaN',
        '29.9,107.8 29.9,107.8 29.9,107.8 29.9,107.8',
        '1e400,1 2,2 3,3 1e400,1',
        ',,, ,,,',
        '29.9;107.8',
      ),
      fc
        .array(fc.tuple(fc.double({ noNaN: false }), fc.double()), { minLength: 0, maxLength: 12 })
        .map((pts) => pts.map(([a, b]) => `${a},${b}`).join(' ')),
      fc
        .integer({ min: 1000, max: 40_000 })
        .map((n) =>
          Array.from({ length: n }, (_, i) => `${29.9 + (i % 97) / 1000},${107.8 + (i % 89) / 1000}`).join(' '),
        ),
    );
    const body = fc.oneof(
      fc.tuple(fc.constantFrom(...paths), junk).map(([path, v]) => ({
        what: `${path.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`,
        text: withField(ALERT, path, JSON.stringify(v) ?? 'null'),
      })),
      fc
        .constantFrom(...paths)
        .map((path) => ({ what: `${path.join('.')} missing`, text: withField(ALERT, path, undefined) })),
      fc
        .tuple(
          fc.constantFrom(
            ['info'],
            ['info', 'area'],
            ['info', 'area', 'geocode'],
            ['info', 'parameter'],
            ['references'],
          ),
          fc.integer({ min: 1000, max: 20_000 }),
        )
        .map(([path, n]) => ({
          what: `${path.join('.')}: ${n} entries`,
          text: withField(
            ALERT,
            path,
            JSON.stringify(
              Array.from({ length: n }, () =>
                path[0] === 'references'
                  ? 'a,b,2024-07-11T01:52:00+08:00'
                  : path.length === 1
                    ? ALERT.info
                    : { valueName: '行政区划代码', value: '500230107' },
              ),
            ),
          ),
        })),
      fc.tuple(fc.constantFrom(...paths), deep).map(([path, text]) => ({
        what: `${path.join('.')} nested ${text.length / 2} deep`,
        text: withField(ALERT, path, text),
      })),
      fc.tuple(polygon, fc.nat(1_000_000)).map(([p, n]) => ({
        what: `polygon ${p.slice(0, 40)}`,
        text: withField({ ...ALERT, identifier: `fuzz-geo-${n}` }, ['info', 'area', 'polygon'], JSON.stringify(p)),
      })),
      fc
        .tuple(
          fc.constantFrom('0', '-5', 'x', '29.9,107.8', '29.9,107.8 -1', '29.9,107.8 1e9', '95,200 10'),
          fc.nat(1_000_000),
        )
        .map(([c, n]) => ({
          what: `circle ${c}`,
          text: withField({ ...ALERT, identifier: `fuzz-circle-${n}` }, ['info', 'area', 'circle'], JSON.stringify(c)),
        })),
      fc
        .tuple(fc.constantFrom([], ['info'], ['info', 'area']), fc.constantFrom(...POLLUTERS))
        .map(([path, polluter]) => {
          const text = path.length === 0 ? JSON.stringify(ALERT) : withField(ALERT, [...path, 'x'], '0');
          return {
            what: `${polluter.slice(0, 20)} in ${path.join('.') || 'the body'}`,
            text: path.length === 0 ? text.replace(/^\{/, `{${polluter},`) : text.replace('"x":0', polluter),
          };
        }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => ({ what: 'any JSON', text: JSON.stringify(v) ?? 'null' })),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ what, text }) => {
        await hostile.send(`alert ${what}`, () =>
          request(api.server)
            .post('/api/v1/alerts')
            .set('Authorization', `Bearer ${ingest}`)
            .set('Content-Type', 'application/json')
            .send(text),
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    process.stdout.write(`fuzz-alerts: ${FUZZ_RUNS} alert bodies, statuses ${JSON.stringify(hostile.statuses)}\n`);
  }, 120_000);

  it('answers hostile sensor readings and fire ratings with 2xx or a clear 4xx, writing nothing when it refuses', async () => {
    const hostile = new HostileRequests(api.ds);
    const time = fc.oneof(
      fc.integer({ min: -7 * 24 * 60, max: 60 }).map((m) => new Date(Date.now() + m * 60_000).toISOString()),
      fc.constantFrom(
        '2024-02-30T10:00:00+08:00',
        '2024-01-01T99:99+99:99',
        '2024-13-45T25:61:61+08:00',
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999999999+14:00',
        '1970-01-01T00:00Z',
        '2024-07-11T08:00:00',
      ),
    );
    const reading = fc.record(
      {
        station: mostly(
          fc.constantFrom(...DEMO_STATIONS.map((s) => s.code), 'NO-SUCH-STATION', '__proto__', 'constructor'),
        ),
        at: mostly(time),
        waterLevel: mostly(
          fc.oneof(fc.double({ min: 200, max: 260, noNaN: true }), fc.double({ min: -600, max: 10_000, noNaN: true })),
        ),
        rainfallMm: mostly(
          fc.oneof(fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: -10, max: 3000, noNaN: true })),
        ),
      },
      { requiredKeys: [] },
    );
    const rating = fc.record(
      {
        areaCode: mostly(
          fc.constantFrom('500230', '500230107', demo.shizhi.villageCode, '999999', '000000', '500230999'),
        ),
        date: mostly(fc.constantFrom('2024-07-11', '2024-02-30', '2024-99-99', '0000-00-00', '9999-12-31')),
        rating: mostly(fc.integer({ min: -2, max: 8 })),
      },
      { requiredKeys: [] },
    );
    const withPolluter = (text: string, polluter: string | null) =>
      polluter ? text.replace(/^\{/, text === '{}' ? `{${polluter}` : `{${polluter},`) : text;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          reading.map((r) => ['readings', r] as const),
          rating.map((r) => ['fire-danger-ratings', r] as const),
        ),
        fc.option(fc.constantFrom(...POLLUTERS)),
        async ([path, value], polluter) => {
          const text = withPolluter(JSON.stringify(value), polluter);
          await hostile.send(`${path} ${text.slice(0, 120)}`, () =>
            request(api.server)
              .post(`/api/v1/${path}`)
              .set('Authorization', `Bearer ${ingest}`)
              .set('Content-Type', 'application/json')
              .send(text),
          );
        },
      ),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    process.stdout.write(
      `fuzz-alerts: ${FUZZ_RUNS} readings and ratings, statuses ${JSON.stringify(hostile.statuses)}\n`,
    );
  }, 120_000);

  it('keeps answering after the run', async () => {
    await request(api.server).get('/api/v1/health').expect(200);
  });
});
