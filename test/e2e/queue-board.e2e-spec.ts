import request from 'supertest';
import { insertUser, issueApiKey, resetDatabase } from '@app/testing';
import { QUEUE_BOARD_PATH } from '../../apps/api/src/admin/queue-board.controller';
import { ApiOnly, startApiOnly } from '../support/api-app';

const PASSWORD = 'queue-board-admin-password-7';

/** Bull Board in the api: the city's administrators only (API key or console session), read only. */
describe('Bull Board (the queues) behind the admin role', () => {
  let api: ApiOnly;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApiOnly();
    await resetDatabase(api.ds);
    keys.admin = await issueApiKey(api.ds, 'board-admin', 'admin', '500000');
    keys.countyAdmin = await issueApiKey(api.ds, 'board-county-admin', 'admin', '500230');
    keys.officer = await issueApiKey(api.ds, 'board-officer', 'duty_officer', '500000');
    keys.commander = await issueApiKey(api.ds, 'board-commander', 'commander', '500000');
    await insertUser(api.ds, { username: 'board-admin-user', password: PASSWORD, role: 'admin', regionCode: '500000' });
    await insertUser(api.ds, { username: 'board-viewer', password: PASSWORD, role: 'viewer', regionCode: '500000' });
  });
  afterAll(() => api.stop());

  const get = (path: string, key?: string) => {
    const req = request(api.server).get(`${QUEUE_BOARD_PATH}${path}`);
    return key ? req.set('authorization', `Bearer ${key}`) : req;
  };
  const sessionOf = async (username: string) => {
    const res = await request(api.server).post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
    return (res.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
  };

  it('shows the board and every queue, read only, to an administrator of the whole city', async () => {
    const page = await get('', keys.admin).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(QUEUE_BOARD_PATH);
    const queues = await get(
      '/api/queues?activeQueue=dispatch-sms&status=latest&page=1&jobsPerPage=10',
      keys.admin,
    ).expect(200);
    const board = queues.body as { queues: Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean }> };
    expect(board.queues.map((q) => q.name).sort()).toEqual([
      '{call-deadlines}',
      '{dispatch-broadcast}',
      '{dispatch-email}',
      '{dispatch-public-sms}',
      '{dispatch-sms-pages}',
      '{dispatch-sms}',
      '{dispatch-voice}',
      '{dispatch-webhook}',
      '{notices}',
      '{public-warnings}',
      '{warning-matching}',
    ]);
    expect(board.queues.every((q) => q.readOnlyMode && !q.allowRetries)).toBe(true);
    // Its static files, relative to the page's base, come through the same guarded route.
    expect(page.text).toContain(`<base href="${QUEUE_BOARD_PATH}/" />`);
    const script = /src="(static\/[^"]+\.js)"/.exec(page.text)?.[1] ?? '';
    expect(script).not.toBe('');
    await get(`/${script}`, keys.admin).expect(200);
    await get(`/${script}`).expect(401);
  });

  it('signs in through the console session as well', async () => {
    const cookie = await sessionOf('board-admin-user');
    await get('/api/queues').set('Cookie', cookie).expect(200);
    const viewer = await get('/api/queues').set('Cookie', await sessionOf('board-viewer'));
    expect(viewer.status).toBe(403);
    expect(JSON.stringify(viewer.body)).toContain('权限不足');
  });

  it('answers 401 without a caller, 403 to other roles and to a county administrator', async () => {
    for (const path of ['', '/api/queues', '/static/js/main.js']) {
      await get(path).expect(401);
      await get(path, 'not-a-key-of-ours').expect(401);
      for (const key of [keys.officer, keys.commander]) {
        const res = await get(path, key).expect(403);
        expect(JSON.stringify(res.body)).toContain('权限不足');
      }
      const county = await get(path, keys.countyAdmin).expect(403);
      expect(JSON.stringify(county.body)).toContain('500000');
    }
  });

  it("offers no way to change a job: the board's write routes are not served", async () => {
    for (const [method, path] of [
      ['put', '/api/queues/pause'],
      ['put', '/api/queues/{dispatch-sms}/retry/failed'],
      ['delete', '/api/queues/{dispatch-sms}/clean/failed'],
    ] as const) {
      const res = await request(api.server)
        [method](`${QUEUE_BOARD_PATH}${path}`)
        .set('authorization', `Bearer ${keys.admin}`);
      expect(res.status).toBe(404);
    }
  });
});
