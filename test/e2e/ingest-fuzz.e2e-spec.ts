import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { resetDatabase } from '@app/testing';
import { ApiOnly, issueKey, rowCounts, startApiOnly } from './ingest-helpers';

const CAP = join(__dirname, '../fixtures/cap');
const MESSAGES = 2500;

/** Deterministic PRNG (mulberry32), so a failing mutant can be reproduced from its index. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const XML_FIXTURES = [
  ...readdirSync(CAP).filter((f) => /\.(cap|xml)$/.test(f)),
  ...readdirSync(join(CAP, 'zh'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => `zh/${f}`),
].map((name) => ({ name, bytes: readFileSync(join(CAP, name)) }));
const JSON_FIXTURE = JSON.parse(readFileSync(join(CAP, 'zh/rainstorm-red-shizhi.json'), 'utf8')) as Record<
  string,
  unknown
>;

type Mutant = { what: string; type: string; body: Buffer | string };

const TIMES = [
  '9999-12-31T23:59:59+08:00',
  '0001-01-01T00:00:00+00:00',
  '2024-13-45T25:61:61+08:00',
  '2024-07-11T01:52:00',
  '',
  '1970-01-01T00:00:00+00:00',
  'yesterday',
];
const NUMBERS = ['1e308', '-999999999', 'NaN', '1e-320', '99999999999999999999999', '-0', 'Infinity'];
const POLYGONS = [
  '29.90,107.80 29.95,107.90 29.90,107.90 29.95,107.80 29.90,107.80', // bow-tie
  '29.9,107.8 29.95,107.9', // two points
  '29.9,107.8 29.95,107.9 29.9,107.95', // not closed
  '91,181 92,182 93,183 91,181', // out of range
  '29.9 107.8, 29.95 107.9', // wrong separators
];

function mutate(rand: () => number, i: number): Mutant {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const fx = pick(XML_FIXTURES);
  let text = fx.bytes.toString('latin1'); // byte-preserving, so GB18030 and ISO-8859-1 survive untouched parts
  const withId = (t: string) => t.replace(/(<(?:cap:)?identifier>)([^<]*)/, `$1$2-fz${i}`);
  const elements = [...text.matchAll(/<((?:cap:)?[A-Za-z]+)>[^<]*<\/\1>/g)];
  const kind = Math.floor(rand() * 11);
  switch (kind) {
    case 0: {
      const bytes = Buffer.from(fx.bytes);
      for (let n = 1 + Math.floor(rand() * 8); n > 0; n--) {
        bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      }
      return { what: `${fx.name}: byte flips`, type: 'application/cap+xml', body: bytes };
    }
    case 1:
      return {
        what: `${fx.name}: truncated`,
        type: 'application/xml',
        body: fx.bytes.subarray(0, Math.floor(rand() * fx.bytes.length)),
      };
    case 2: {
      const el = pick(elements);
      return {
        what: `${fx.name}: <${el[1]}> deleted`,
        type: 'application/cap+xml',
        body: Buffer.from(withId(text.replace(el[0], '')), 'latin1'),
      };
    }
    case 3: {
      const el = pick(elements);
      return {
        what: `${fx.name}: <${el[1]}> duplicated`,
        type: 'application/cap+xml',
        body: Buffer.from(withId(text.replace(el[0], el[0] + el[0])), 'latin1'),
      };
    }
    case 4: {
      const ns = pick([
        'urn:oasis:names:tc:emergency:cap:1.0',
        'http://www.w3.org/2005/Atom',
        '',
        'urn:oasis:names:tc:emergency:cap:1.2 ',
      ]);
      return {
        what: `${fx.name}: namespace "${ns}"`,
        type: 'text/xml',
        body: Buffer.from(text.replace(/urn:oasis:names:tc:emergency:cap:1\.[12]/, ns), 'latin1'),
      };
    }
    case 5: {
      const tag = pick(['sent', 'expires', 'onset', 'effective']);
      text = text.replace(new RegExp(`(<(?:cap:)?${tag}>)[^<]*`), `$1${pick(TIMES)}`);
      return {
        what: `${fx.name}: absurd ${tag}`,
        type: 'application/cap+xml',
        body: Buffer.from(withId(text), 'latin1'),
      };
    }
    case 6: {
      text = text.replace(/-?\d+\.\d+/, pick(NUMBERS));
      return {
        what: `${fx.name}: huge number`,
        type: 'application/cap+xml',
        body: Buffer.from(withId(text), 'latin1'),
      };
    }
    case 7: {
      const polygon = `<polygon>${pick(POLYGONS)}</polygon>`;
      text = /<(cap:)?polygon>/.test(text)
        ? text.replace(
            /<(cap:)?polygon>[^<]*<\/(cap:)?polygon>/,
            polygon.replace(/polygon/g, /<cap:polygon>/.test(text) ? 'cap:polygon' : 'polygon'),
          )
        : text.replace(/(<(?:cap:)?areaDesc>[^<]*<\/(?:cap:)?areaDesc>)/, `$1${polygon}`);
      return {
        what: `${fx.name}: broken polygon`,
        type: 'application/cap+xml',
        body: Buffer.from(withId(text), 'latin1'),
      };
    }
    case 8:
      return { what: 'random JSON', type: 'application/json', body: JSON.stringify(randomJson(rand, 0)) };
    case 9: {
      const obj = structuredClone(JSON_FIXTURE);
      const key = pick(Object.keys(obj));
      obj[key] = randomJson(rand, 2);
      obj.identifier = `${String(JSON_FIXTURE.identifier)}-fz${i}`;
      return { what: `JSON fixture: ${key} replaced`, type: 'application/json', body: JSON.stringify(obj) };
    }
    default: {
      const valid = Buffer.from(withId(text), 'latin1'); // unchanged apart from the identifier: accepted
      return { what: `${fx.name}: new identifier`, type: 'application/cap+xml', body: valid };
    }
  }
}

function randomJson(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    return [null, true, 42, -1e308, 'x', '暴雨', '', '<alert/>', '2024-07-11T01:52:00+08:00'][Math.floor(rand() * 9)];
  }
  if (r < 0.6) {
    return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth + 1));
  }
  const keys = [
    'identifier',
    'sender',
    'sent',
    'status',
    'msgType',
    'scope',
    'info',
    'area',
    'polygon',
    'references',
    'junk',
  ];
  return Object.fromEntries(
    Array.from({ length: Math.floor(rand() * 5) }, () => [
      keys[Math.floor(rand() * keys.length)],
      randomJson(rand, depth + 1),
    ]),
  );
}

/** A few thousand mutated messages through the API: never a 5xx, every 4xx explains itself, nothing stored in part. */
describe('POST /api/v1/alerts under fuzzing', () => {
  let api: ApiOnly;
  let key: string;

  beforeAll(async () => {
    api = await startApiOnly();
    await resetDatabase(api.ds);
    key = await issueKey(api.ds, 'fuzz', 'ingest', '500000');
  });

  afterAll(async () => {
    await api.stop();
  });

  it(`answers ${MESSAGES} mutants with 2xx or an explained 4xx, and writes only for accepted messages`, async () => {
    const rand = prng(20240711);
    const statuses: Record<number, number> = {};
    const problems: string[] = [];
    const started = Date.now();
    let before = await rowCounts(api.ds);
    for (let i = 0; i < MESSAGES; i++) {
      const m = mutate(rand, i);
      const res = await request(api.server)
        .post('/api/v1/alerts')
        .set('Authorization', `Bearer ${key}`)
        .set('Content-Type', m.type)
        .send(m.body);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const after = await rowCounts(api.ds);
      const body = res.body as { message?: unknown; details?: { field?: unknown }; error?: string };
      const wrote = after.warnings - before.warnings;
      if (res.status >= 500) {
        problems.push(`#${i} ${m.what}: ${res.status} ${JSON.stringify(body)}`);
      } else if (res.status >= 400) {
        if (typeof body.message !== 'string' || body.message.length < 10) {
          problems.push(`#${i} ${m.what}: ${res.status} without a message`);
        }
        if (body.error === 'validation_failed' && typeof body.details?.field !== 'string') {
          problems.push(`#${i} ${m.what}: validation error without a field`);
        }
        if (wrote !== 0 || after.events !== before.events) {
          problems.push(`#${i} ${m.what}: refused but wrote ${wrote} warnings, ${after.events - before.events} events`);
        }
      } else if (wrote !== (res.status === 202 ? 1 : 0)) {
        problems.push(`#${i} ${m.what}: ${res.status} but wrote ${wrote} warnings`);
      }
      before = after;
    }
    const ms = Date.now() - started;
    // Figures for the report: how the mutants were answered and what one message costs end to end.
    process.stdout.write(
      `fuzz: ${MESSAGES} messages in ${ms} ms (${(ms / MESSAGES).toFixed(1)} ms each): ${JSON.stringify(statuses)}\n`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(statuses[202]).toBeGreaterThan(100); // the fuzz did reach the store
    expect((statuses[400] ?? 0) + (statuses[415] ?? 0)).toBeGreaterThan(MESSAGES / 3);
    // A fixed amount of work (2,500 requests, each followed by a count of the tables): its budget must hold on a
    // machine kept busy by other work, where it ran past the default 60 s.
  }, 300_000);
});
