import type { IncomingMessage } from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { waitFor } from '@app/common';
import { CallerRole, CSRF_HEADER, mayCall, SESSION_COOKIE, USER_ROLES, UserRole } from '@app/accounts';
import { DemoSummary, seedDemo } from '@app/demo';
import { QueueName } from '@app/queue';
import { AckLinks } from '@app/calls';
import { insertUser, issueApiKey, resetDatabase } from '@app/testing';
import { ROLES_KEY } from '../../apps/api/src/auth/api-key.guard';
import { ApiOnly, startApiOnly } from '../support/api-app';
import { Pipeline, startPipeline } from '../support/pipeline';
import { countChanges, tableCounts } from './fuzz-support';
import { postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

interface Route {
  method: string;
  path: string;
  roles: CallerRole[];
}

/** Every route the API serves, read from Nest's own controllers: method, path and the roles of its @Roles. */
function routesOf(api: { app: ApiOnly['app'] }): Route[] {
  const routes: Route[] = [];
  for (const module of api.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!type) {
        continue;
      }
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      const classRoles = Reflect.getMetadata(ROLES_KEY, type) as CallerRole[] | undefined;
      const proto = type.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') {
          continue;
        }
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (sub === undefined) {
          continue;
        }
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const roles = (Reflect.getMetadata(ROLES_KEY, handler) as CallerRole[] | undefined) ?? classRoles;
        const path = `/${[base, sub]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        routes.push({ method, path, roles: roles ?? [] });
      }
    }
  }
  return routes;
}

/** Path parameters filled with an id nobody has: a route that gets past its guard answers 4xx, never 500. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

/** Sends a request as far as its headers when the answer is an event stream (the board's live changes never end). */
function call(server: ApiOnly['server'], method: string, path: string, headers: Record<string, string>, body?: object) {
  const req = request(server)
    [method.toLowerCase() as 'get'](path)
    .buffer(true)
    .parse((answer, done) => {
      const res = answer as unknown as IncomingMessage;
      if (String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
        res.destroy();
        done(null, {});
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? (JSON.parse(text) as unknown) : {};
        } catch {
          // CSV, XLSX, HTML: kept as text
        }
        done(null, parsed);
      });
    });
  req.set(headers);
  return body && method !== 'GET' ? req.send(body) : req;
}

/** A caller: an API key, or a person's console session (cookie, plus the CSRF token on a state-changing request). */
interface Who {
  label: string;
  role: CallerRole;
  headers(method: string): Record<string, string>;
}

const asKey = (role: CallerRole, key: string, region: string): Who => ({
  label: `${role} key of ${region}`,
  role,
  headers: () => ({ authorization: `Bearer ${key}` }),
});

async function signIn(server: ApiOnly['server'], username: string, role: UserRole, region: string): Promise<Who> {
  const res = await request(server).post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
  const cookie = (res.headers['set-cookie'] as unknown as string[])
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    ?.split(';')[0] as string;
  const csrf = (res.body as { csrfToken: string }).csrfToken;
  return {
    label: `${role} session of ${region}`,
    role,
    headers: (method): Record<string, string> => (method === 'GET' ? { cookie } : { cookie, [CSRF_HEADER]: csrf }),
  };
}

const PASSWORD = 'matrix-password-0123456789';

/**
 * The authorization matrix: every /api route that names roles, called with no credentials (401), with a
 * revoked-looking key or session (401), and with an API key of each key role and a console session of each person
 * role (403 where the role may not call it, per mayCall), in a region of its own. A call that gets past the guard
 * with an unknown id and no body answers 4xx, never 500. A session's state-changing request without its CSRF token
 * is refused (403).
 */
describe('authorization matrix over every route', () => {
  let api: ApiOnly;
  const callers: Who[] = [];
  const KEY_ROLES: CallerRole[] = ['ingest', 'duty_officer', 'commander', 'admin'];

  beforeAll(async () => {
    api = await startApiOnly();
    await resetDatabase(api.ds);
    await api.ds.query(
      `INSERT INTO admin_units (code, name, level, parent_code) VALUES ('500000', '重庆市', 'province', NULL), ('500230', '丰都县', 'county', '500000')`,
    );
    for (const role of KEY_ROLES) {
      callers.push(asKey(role, await issueApiKey(api.ds, `matrix-${role}`, role, '500230'), '500230'));
    }
    for (const role of USER_ROLES) {
      await insertUser(api.ds, { username: `matrix-${role}`, password: PASSWORD, role, regionCode: '500230' });
      callers.push(await signIn(api.server, `matrix-${role}`, role, '500230'));
    }
  });
  afterAll(() => api?.stop());

  it('answers 401 without a caller, 403 to a role that may not call, and never 500', async () => {
    // The API's routes (the desk's /console pages send a browser to the login page instead, by design).
    const routes = routesOf(api).filter((r) => r.roles.length > 0 && r.path.startsWith('/api/'));
    expect(routes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const r of routes) {
      const path = concrete(r.path);
      for (const [what, headers] of [
        ['no caller', {}],
        ['unknown key', { authorization: 'Bearer not-a-key-of-ours' }],
        ['ended session', { cookie: `${SESSION_COOKIE}=${'x'.repeat(43)}` }],
      ] as const) {
        const res = await call(api.server, r.method, path, headers);
        if (res.status !== 401) {
          wrong.push(`${r.method} ${r.path} ${what}: ${res.status}`);
        }
      }
      for (const who of callers) {
        const res = await call(api.server, r.method, path, who.headers(r.method));
        const may = mayCall(who.role, r.roles, r.method);
        // A role that may call it is never refused for its role (a 403 for another reason, e.g. region, is fine).
        const refusedForRole = res.status === 403 && JSON.stringify(res.body).includes('权限不足');
        if ((!may && !refusedForRole) || (may && (res.status === 401 || refusedForRole)) || res.status >= 500) {
          wrong.push(`${r.method} ${r.path} as ${who.label} (${may ? 'may' : 'may not'}): ${res.status}`);
        }
      }
      if (r.method !== 'GET') {
        // A session without its CSRF token changes nothing, whatever its role.
        for (const who of callers.filter((c) => c.label.includes('session'))) {
          const { cookie } = who.headers('GET');
          const res = await call(api.server, r.method, path, { cookie });
          if (res.status !== 403) {
            wrong.push(`${r.method} ${r.path} as ${who.label} without CSRF token: ${res.status}`);
          }
        }
      }
    }
    process.stdout.write(`authorization matrix: ${routes.length} routes × ${callers.length + 3} callers\n`);
    expect(wrong).toEqual([]);
  }, 300_000);
});

/** Query parameters that name a place or a thing of 丰都县, tried one at a time on every GET route. */
type Ids = {
  warning: string;
  call: string;
  order: string;
  target: string;
  person: string;
  zone: string;
  object: string;
  user: string;
  assignment: string;
  contracting: string;
  draft: string;
  resident: string;
  town: string;
  issue: string;
};

/** Path parameters filled with 丰都县's own ids, by the route they belong to. */
function fengduPath(path: string, ids: Ids): string {
  const byBase: Array<[RegExp, string]> = [
    [/^\/api\/v1\/(warnings|reports\/warnings)\/:id/, ids.warning],
    [/^\/api\/v1\/calls\/:id/, ids.call],
    [/^\/api\/v1\/orders\/:id/, ids.order],
    [/^\/api\/v1\/users\/:id/, ids.user],
    [/^\/api\/v1\/roster\/assignments\/:id/, ids.assignment],
    [/^\/api\/v1\/roster\/contracting\/:id/, ids.contracting],
    [/^\/api\/v1\/officer-warnings\/:id/, ids.draft],
    [/^\/api\/v1\/incoming\/:id/, ids.warning],
    [/^\/api\/v1\/issues\/:id/, ids.issue],
  ];
  const id = byBase.find(([re]) => re.test(path))?.[1] ?? '00000000-0000-4000-8000-000000000000';
  return path
    .replace(':targetId', ids.target)
    .replace(':residentId', ids.resident)
    .replace(':code', ids.town)
    .replace(':version', '1')
    .replace(':token', 'x')
    .replace(/:[A-Za-z]+/g, id);
}

/** Bodies for a state-changing route that pass the usual validations: empty, a note, a call's answer, an order step. */
const BODIES: object[] = [
  {},
  { note: '越权测试' },
  { response: 'received', note: '越权测试' },
  { action: 'acknowledge' },
];
/** And for the routes that need more, by how their path ends. */
const ROUTE_BODIES: Record<string, object> = {
  '/return': { comment: '越权测试' },
  '/dismiss': { reason: '越权测试' },
  '/reports': { households: 1, persons: 2 },
  '/users/:id': { displayName: '越权测试' },
  '/reset-password': { password: 'Matrix-another-password-42' },
  '/transition': { to: 'rectifying', note: '越权测试' },
};

/**
 * Callers of another county (铜梁区) — its duty officer's and commander's API keys, and the console sessions of its
 * duty officer, shift leader, commander, viewer, roster administrator and administrator — walk every route with 丰都县's warning,
 * call, order, people, units and zones in the path or the query: each answer is a refusal (403/404, or 400), or an
 * answer that names nothing of 丰都县; and no state-changing route writes anything.
 */
describe('authorization matrix: callers of another region', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ids: Ids;
  const foreign: Who[] = [];
  const markers: string[] = [];
  let home: Who;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '1' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const ingest = await issueApiKey(p.ds, 'matrix-ingest', 'ingest', '500000');
    const fengduDuty = await issueApiKey(p.ds, 'matrix-fd-duty', 'duty_officer', '500230');
    home = asKey('duty_officer', fengduDuty, '500230');
    const { id: warning } = await postCap(p, ingest, { identifier: 'MATRIX-REGION', geocode: demo.shizhi.villageCode });
    await waitMatched(p.ds, warning);
    const [task] = (await tasksOf(p.ds, warning)).filter((t) => t.state !== 'unreachable');
    const order = await request(p.server)
      .post('/api/v1/orders')
      .set('authorization', `Bearer ${fengduDuty}`)
      .send({
        measure: 'road_closure',
        title: '封闭十直镇沿河道路',
        instruction: '设置路障',
        regionCode: '500230',
        ackDeadlineMin: 60,
        executeDeadlineMin: 120,
        targets: [{ personId: task.person_id, unitName: '十直镇执行单位' }],
      })
      .expect(201);
    const draft = await request(p.server)
      .post('/api/v1/officer-warnings')
      .set('authorization', `Bearer ${fengduDuty}`)
      .send({})
      .catch(() => null);
    const one = async (sql: string, params: unknown[] = []) =>
      (await p.ds.query<Array<{ id: string }>>(sql, params))[0]?.id ?? '00000000-0000-4000-8000-000000000000';
    const fengduUser = await insertUser(p.ds, {
      username: 'matrix-fd-officer',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: '500230',
    });
    ids = {
      warning,
      call: task.id,
      order: (order.body as { id: string }).id,
      target: await one(`SELECT id FROM order_targets WHERE order_id = $1`, [(order.body as { id: string }).id]),
      person: task.person_id,
      zone: demo.shizhi.flashFloodZoneIds[0],
      object: demo.shizhi.hydropowerObjectId,
      user: fengduUser,
      assignment: await one(`SELECT id FROM responsibility_assignments WHERE person_id = $1`, [demo.shizhi.mayorId]),
      contracting: await one(`SELECT c.id FROM contracting_assignments c WHERE c.admin_unit_code LIKE '500230%'`),
      draft: (draft?.body as { id?: string } | undefined)?.id ?? (await one(`SELECT id FROM warning_drafts LIMIT 1`)),
      resident: await one(`SELECT id FROM special_residents WHERE admin_unit_code LIKE '500230%'`),
      town: demo.shizhi.townCode,
      // A 问题清单 item of 十直镇, for the transition route.
      issue: await one(
        `INSERT INTO issue_items (chain_id, warning_id, person_id, unit_code, kind, title, state, created_at, updated_at)
         SELECT chain_id, id, $2, $3, 'no_answer', '越权测试：叫应未应答', 'open', now(), now() FROM warnings WHERE id = $1 RETURNING id`,
        [warning, task.person_id, demo.shizhi.townCode],
      ),
    };
    const [{ name: mayor }] = await p.ds.query<Array<{ name: string }>>(`SELECT name FROM persons WHERE id = $1`, [
      demo.shizhi.mayorId,
    ]);
    const [{ name: person }] = await p.ds.query<Array<{ name: string }>>(`SELECT name FROM persons WHERE id = $1`, [
      task.person_id,
    ]);
    markers.push(
      ids.warning,
      ids.call,
      ids.order,
      ids.target,
      ids.person,
      demo.shizhi.mayorId,
      mayor,
      person,
      '十直镇',
      'MATRIX-REGION',
    );
    const region = '500151';
    foreign.push(asKey('duty_officer', await issueApiKey(p.ds, 'matrix-tl-duty', 'duty_officer', region), region));
    foreign.push(asKey('commander', await issueApiKey(p.ds, 'matrix-tl-commander', 'commander', region), region));
    for (const role of ['duty_officer', 'shift_leader', 'commander', 'viewer', 'roster_admin', 'admin'] as const) {
      await insertUser(p.ds, { username: `matrix-tl-${role}`, password: PASSWORD, role, regionCode: region });
      foreign.push(await signIn(p.server, `matrix-tl-${role}`, role, region));
    }
  }, 120_000);
  afterAll(() => p?.stop());

  it('refuses, or shows nothing of this region to, a caller of another county on every route', async () => {
    const routes = routesOf(p).filter(
      (r) => r.roles.length > 0 && r.path.startsWith('/api/') && r.roles.some((role) => role !== 'ingest'),
    );
    const queries: Array<Record<string, string>> = [
      {},
      { warningId: ids.warning },
      { unit: ids.town },
      { town: ids.town },
      { area: '500230' },
      { parent: '500230' },
      { level: 'town', within: '500230' },
      { within: '500230' },
      { objectId: ids.object },
      { zoneId: ids.zone },
      { personId: ids.person },
      { warningId: ids.warning, unit: ids.town },
    ];
    const wrong: string[] = [];
    const statuses: Record<number, number> = {};
    let requests = 0;
    // The control: 丰都县's own duty officer sees its things on these routes, so the walk does reach them.
    const seenAtHome = new Set<string>();
    for (const r of routes.filter((x) => x.method === 'GET' && mayCall('duty_officer', x.roles, 'GET'))) {
      for (const query of queries) {
        const url = `${fengduPath(r.path, ids)}${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`;
        const res = await call(p.server, 'GET', url, home.headers('GET'));
        if (
          res.status < 300 &&
          markers.some((m) => (typeof res.body === 'string' ? res.body : JSON.stringify(res.body)).includes(m))
        ) {
          seenAtHome.add(r.path);
        }
      }
    }
    expect(seenAtHome.size).toBeGreaterThanOrEqual(8);
    // Every table but the sessions (a session's last use is kept) as it was before the walk: nothing written by it.
    // The warning's own work (later rungs, deadlines) would write meanwhile on a slow walk: its queues are paused and
    // idle first, and resumed after.
    const queues = Object.values(QueueName).map((name) => p.app.get<Queue>(getQueueToken(name)));
    await Promise.all(queues.map((q) => q.pause()));
    await waitFor(async () => (await Promise.all(queues.map((q) => q.getActiveCount()))).every((n) => n === 0), {
      what: 'queues idle',
      timeoutMs: 60_000,
    });
    const before = await tableCounts(p.ds, ['sessions']);
    // State-changing routes where some body got past validation to the region check (the others answered 400 to all).
    const pastValidation = new Set<string>();
    for (const r of routes) {
      const path = fengduPath(r.path, ids);
      for (const who of foreign.filter((w) => mayCall(w.role, r.roles, r.method))) {
        if (r.method === 'GET') {
          for (const query of queries) {
            const url = Object.keys(query).length ? `${path}?${new URLSearchParams(query).toString()}` : path;
            const res = await call(p.server, r.method, url, who.headers(r.method));
            requests++;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
            const leaked = res.status < 300 ? markers.filter((m) => text.includes(m)) : [];
            if (res.status === 401 || res.status >= 500 || leaked.length > 0) {
              wrong.push(
                `GET ${url} as ${who.label}: ${res.status}${leaked.length ? ` shows ${leaked.join(', ')}` : ''}`,
              );
            }
          }
        } else if (/:[A-Za-z]+/.test(r.path) && !r.path.includes(':token')) {
          // A state-changing route aimed at one of 丰都县's things, with bodies that pass the usual validations: refused.
          for (const body of [
            ...BODIES,
            ...Object.entries(ROUTE_BODIES)
              .filter(([end]) => r.path.endsWith(end))
              .map(([, b]) => b),
          ]) {
            const res = await call(p.server, r.method, path, who.headers(r.method), body);
            requests++;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status !== 400) {
              pastValidation.add(`${r.method} ${r.path}`);
            }
            if (res.status < 400 || res.status === 401 || res.status >= 500) {
              wrong.push(`${r.method} ${path} ${JSON.stringify(body)} as ${who.label}: ${res.status}`);
            }
          }
        }
      }
    }
    process.stdout.write(
      `authorization matrix (another region): ${routes.length} routes, ${foreign.length} callers, ${requests} requests, statuses ${JSON.stringify(statuses)}; ` +
        `丰都县's own officer sees its things on ${seenAtHome.size} GET routes; state-changing routes refused past validation: ` +
        `${pastValidation.size} of ${routes.filter((r) => r.method !== 'GET' && /:[A-Za-z]+/.test(r.path) && !r.path.includes(':token')).length}` +
        ` (400 to every body: ${routes
          .filter(
            (r) =>
              r.method !== 'GET' &&
              /:[A-Za-z]+/.test(r.path) &&
              !r.path.includes(':token') &&
              !pastValidation.has(`${r.method} ${r.path}`),
          )
          .map((r) => `${r.method} ${r.path}`)
          .join(', ')})\n`,
    );
    expect(wrong).toEqual([]);
    expect(countChanges(before, await tableCounts(p.ds, ['sessions']))).toEqual([]);
    await Promise.all(queues.map((q) => q.resume()));
    // Each such route was refused by its region check, not only by validating the body.
    const idRoutes = routes.filter(
      (r) => r.method !== 'GET' && /:[A-Za-z]+/.test(r.path) && !r.path.includes(':token'),
    );
    expect(
      idRoutes.filter((r) => !pastValidation.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`),
    ).toEqual([]);
  }, 300_000);

  it('gives an answer link of this region nothing more than its own call', async () => {
    // The link's token is bound to its call and person: it opens no API route.
    const token = p.app.get(AckLinks).token(ids.call, ids.person, null);
    await request(p.server).get(`/api/v1/warnings/${ids.warning}`).set('authorization', `Bearer ${token}`).expect(401);
    await request(p.server)
      .get(`/api/v1/warnings/${ids.warning}`)
      .set('cookie', `${SESSION_COOKIE}=${token}`)
      .expect(401);
  });
});
