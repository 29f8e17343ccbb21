import request from 'supertest';
import { ApiOnly, startApiOnly } from '../support/api-app';

interface Operation {
  requestBody?: {
    content: Record<string, { schema?: { $ref?: string; example?: unknown; properties?: object; type?: string } }>;
  };
}

// Routes that take no body, a file or raw body described in their summary, or carriers' callbacks (their formats).
const NO_BODY = [
  /\/auth\/(logout|totp\/setup)$/,
  /\/(approve|issue|preview|close|return)$/,
  /\/incoming\/\{id\}\/(confirm|edit)$/,
  /\/roster\/import$/,
  /\/alerts$/,
  /^\/providers\//,
  /\/officer-warnings\/\{id\}\/preview$/,
];

/** The OpenAPI document shows every route the console uses, and what each state-changing route takes as its body. */
describe('OpenAPI document', () => {
  let api: ApiOnly;

  beforeAll(async () => {
    api = await startApiOnly();
  });

  afterAll(async () => {
    await api.stop();
  });

  it('lists the account and desk routes and shows a request body for every route that takes one', async () => {
    const doc = (await request(api.server).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: object }> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/auth/me',
        '/api/v1/auth/logout',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/users/{id}/reset-password',
        '/api/v1/warnings',
        '/api/v1/warnings/{id}/chain',
        '/api/v1/warnings/{id}/calls',
        '/api/v1/divisions',
        '/api/v1/geo/units',
        '/api/v1/geo/zones',
        '/api/v1/reference/hazards',
        '/api/v1/calls/manual',
        '/api/v1/warnings/preview/summary',
        '/api/v1/warnings/preview/recipients',
        '/api/v1/officer-warnings',
        '/api/v1/incoming',
      ]),
    );
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['post', 'put', 'patch'].includes(method) || NO_BODY.some((r) => r.test(path))) {
          continue;
        }
        const schema = Object.values(op.requestBody?.content ?? {})[0]?.schema;
        const ref = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop() as string] : undefined;
        const shown =
          schema?.example !== undefined ||
          schema?.properties !== undefined ||
          Object.keys(ref?.properties ?? {}).length > 0;
        if (!shown) {
          missing.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
