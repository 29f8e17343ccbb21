import request from 'supertest';
import { base32Decode, totpCode } from '@app/accounts';
import { ManualClock, waitFor } from '@app/common';
import { insertUser, issueApiKey, resetDatabase } from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';

const PASSWORD = 'river-lantern-57-cloud';
const START = new Date('2026-07-01T08:00:00Z');

interface SessionBody {
  user: { id: string; username: string; displayName: string; role: string; regionCode: string; regionName: string };
  csrfToken: string;
}

/** People's accounts: sign-in, sessions, CSRF, lockout, revocation, TOTP, and one guard shared with API keys. */
describe('accounts and sessions', () => {
  let api: ApiOnly;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(START);
    api = await startApiOnly({
      clock,
      env: { LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_IP: '12', LOGIN_LOCK_MINUTES: '15' },
    });
  });

  beforeEach(async () => {
    clock.set(START);
    await resetDatabase(api.ds);
    await api.ds.query(`INSERT INTO admin_units (code, name, level, parent_code) VALUES
      ('500000', '重庆市', 'province', NULL), ('500230', '丰都县', 'county', '500000'),
      ('500230107', '十直镇', 'town', '500230'), ('500230108', '高家镇', 'town', '500230')`);
    await insertUser(api.ds, {
      username: 'city-admin',
      password: PASSWORD,
      role: 'admin',
      regionCode: '500000',
      displayName: '市管理员',
    });
    await insertUser(api.ds, {
      username: 'fd-duty',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: '500230',
      displayName: '丰都值班员',
    });
  });

  afterAll(async () => {
    await api.stop();
  });

  const login = (username: string, password = PASSWORD, totp?: string) =>
    request(api.server)
      .post('/api/v1/auth/login')
      .send({ username, password, ...(totp ? { totp } : {}) });

  async function signIn(username: string): Promise<{ cookie: string; csrf: string; body: SessionBody }> {
    const res = await login(username).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    const body = res.body as SessionBody;
    return { cookie, csrf: body.csrfToken, body };
  }

  it('signs in with an HttpOnly, SameSite=Strict cookie, answers me, and signs out', async () => {
    const res = await login('fd-duty').expect(200);
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0];
    expect(setCookie).toMatch(/^jy_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const body = res.body as SessionBody;
    expect(body.user).toMatchObject({
      username: 'fd-duty',
      displayName: '丰都值班员',
      role: 'duty_officer',
      regionCode: '500230',
      regionName: '丰都县',
    });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const cookie = setCookie.split(';')[0];
    const me = await request(api.server).get('/api/v1/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual(body);
    // The session row keeps only the token's hash.
    const [row] = await api.ds.query<Array<{ token_hash: string }>>(`SELECT token_hash FROM sessions`);
    expect(row.token_hash).not.toContain(cookie.split('=')[1]);

    await request(api.server).post('/api/v1/auth/logout').set('Cookie', cookie).expect(403);
    await request(api.server)
      .post('/api/v1/auth/logout')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', body.csrfToken)
      .expect(204);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', cookie).expect(401);
    const events = await api.ds.query<Array<{ type: string; actor: string; ip: string }>>(
      `SELECT type, actor, data->>'ip' AS ip FROM events WHERE type LIKE 'UserSigned%' ORDER BY id`,
    );
    expect(events).toEqual([
      { type: 'UserSignedIn', actor: 'user:fd-duty', ip: expect.stringMatching(/127\.0\.0\.1/) as string },
      { type: 'UserSignedOut', actor: 'user:fd-duty', ip: expect.stringMatching(/127\.0\.0\.1/) as string },
    ]);
  });

  it('answers 401 with a Chinese and English message on a wrong password or unknown name, and 400 on a missing field', async () => {
    const wrong = await login('fd-duty', 'not-the-password').expect(401);
    expect((wrong.body as { message: string }).message).toBe('登录名或密码错误 (wrong login name or password)');
    const unknown = await login('nobody').expect(401);
    expect((unknown.body as { message: string }).message).toBe((wrong.body as { message: string }).message);
    await request(api.server).post('/api/v1/auth/login').send({ username: 'fd-duty' }).expect(400);
    const [{ count }] = await api.ds.query<Array<{ count: number }>>(
      `SELECT count(*)::int FROM events WHERE type = 'UserSignInFailed'`,
    );
    expect(count).toBe(2);
  });

  it('locks an account after 5 failures for 15 minutes (429 even with the right password), then lets it in', async () => {
    for (let i = 0; i < 5; i++) {
      await login('fd-duty', `wrong-${i}`).expect(401);
    }
    const locked = await login('fd-duty').expect(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect((locked.body as { message: string }).message).toMatch(/^失败次数过多/);
    clock.advance(15 * 60_000 + 1000);
    await login('fd-duty').expect(200);
  });

  it('locks an address that tries many names', async () => {
    for (let i = 0; i < 12; i++) {
      await login(`guess-${i}`).expect(401);
    }
    await login('city-admin').expect(429);
  });

  it('refuses a state-changing call without the CSRF header, and accepts it with the header', async () => {
    const admin = await signIn('city-admin');
    const newUser = {
      username: 'sz-duty',
      displayName: '十直值班员',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: '500230107',
    };
    const refused = await request(api.server)
      .post('/api/v1/users')
      .set('Cookie', admin.cookie)
      .send(newUser)
      .expect(403);
    expect((refused.body as { message: string }).message).toMatch(/X-CSRF-Token/);
    await request(api.server)
      .post('/api/v1/users')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', 'wrong')
      .send(newUser)
      .expect(403);
    const created = await request(api.server)
      .post('/api/v1/users')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send(newUser)
      .expect(201);
    expect(created.body).toMatchObject({
      username: 'sz-duty',
      role: 'duty_officer',
      regionCode: '500230107',
      regionName: '十直镇',
      disabled: false,
    });
    const weak = await request(api.server)
      .post('/api/v1/users')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ ...newUser, username: 'weak', password: 'password123' })
      .expect(400);
    expect((weak.body as { message: string }).message).toMatch(/过于常见/);
    await request(api.server)
      .post('/api/v1/users')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send(newUser)
      .expect(409);
    const list = await request(api.server)
      .get('/api/v1/users?page=1&pageSize=2')
      .set('Cookie', admin.cookie)
      .expect(200);
    expect(list.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect((list.body as { items: unknown[] }).items).toHaveLength(2);
    const audit = await api.ds.query<Array<{ actor: string; ip: string | null }>>(
      `SELECT actor, data->>'ip' AS ip FROM events WHERE type = 'UserCreated'`,
    );
    expect(audit).toEqual([{ actor: 'user:city-admin', ip: expect.stringMatching(/127\.0\.0\.1/) as string }]);
    // Each request is audited once it has been answered: wait for the third row.
    const requests = await waitFor(
      async () => {
        const rows = await api.ds.query<Array<{ status: string }>>(
          `SELECT status::text AS status FROM request_audit WHERE actor = 'user:city-admin' ORDER BY id`,
        );
        return rows.length >= 3 && rows;
      },
      { what: 'three audited requests' },
    );
    expect(requests.map((r) => r.status)).toEqual(['201', '400', '409']);
  });

  it('ends every session of an account when it is disabled or its password reset, and on idle or absolute expiry', async () => {
    const admin = await signIn('city-admin');
    const officer = await signIn('fd-duty');
    await request(api.server).get('/api/v1/auth/me').set('Cookie', officer.cookie).expect(200);
    await request(api.server)
      .patch(`/api/v1/users/${officer.body.user.id}`)
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ disabled: true })
      .expect(200);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', officer.cookie).expect(401);
    await login('fd-duty').expect(401);
    await request(api.server)
      .patch(`/api/v1/users/${officer.body.user.id}`)
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ disabled: false })
      .expect(200);
    const again = await signIn('fd-duty');
    const reset = await request(api.server)
      .post(`/api/v1/users/${officer.body.user.id}/reset-password`)
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({})
      .expect(200);
    const made = (reset.body as { password: string }).password;
    expect(made.length).toBeGreaterThanOrEqual(16);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', again.cookie).expect(401);
    await login('fd-duty', made).expect(200);

    // Idle: 30 minutes without a request.
    clock.advance(29 * 60_000);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', admin.cookie).expect(200);
    clock.advance(29 * 60_000);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', admin.cookie).expect(200);
    clock.advance(31 * 60_000);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', admin.cookie).expect(401);
    // Absolute: 12 hours after sign-in, however busy.
    const busy = await signIn('city-admin');
    for (let i = 0; i < 25; i++) {
      clock.advance(29 * 60_000);
      await request(api.server)
        .get('/api/v1/auth/me')
        .set('Cookie', busy.cookie)
        .expect(i < 24 ? 200 : 401);
    }
  });

  it('asks a commander with TOTP on for the code, refuses a wrong one and accepts the current one', async () => {
    await insertUser(api.ds, { username: 'fd-commander', password: PASSWORD, role: 'commander', regionCode: '500230' });
    const officer = await signIn('fd-duty');
    await request(api.server)
      .post('/api/v1/auth/totp/setup')
      .set('Cookie', officer.cookie)
      .set('X-CSRF-Token', officer.csrf)
      .expect(403);
    const commander = await signIn('fd-commander');
    const setup = await request(api.server)
      .post('/api/v1/auth/totp/setup')
      .set('Cookie', commander.cookie)
      .set('X-CSRF-Token', commander.csrf)
      .expect(200);
    const { secret, otpauthUrl } = setup.body as { secret: string; otpauthUrl: string };
    expect(otpauthUrl).toContain(`secret=${secret}`);
    const code = () => totpCode(base32Decode(secret), clock.now());
    await request(api.server)
      .post('/api/v1/auth/totp/enable')
      .set('Cookie', commander.cookie)
      .set('X-CSRF-Token', commander.csrf)
      .send({ code: code() === '000000' ? '111111' : '000000' })
      .expect(400);
    await request(api.server)
      .post('/api/v1/auth/totp/enable')
      .set('Cookie', commander.cookie)
      .set('X-CSRF-Token', commander.csrf)
      .send({ code: code() })
      .expect(200);

    const needed = await login('fd-commander').expect(400);
    expect(needed.body).toMatchObject({ code: 'totp_required' });
    expect((needed.body as { message: string }).message).toMatch(/^请输入身份验证器/);
    const wrongCode = String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
    await login('fd-commander', PASSWORD, wrongCode).expect(401);
    await login('fd-commander', 'wrong-password-here', code()).expect(401);
    const ok = await login('fd-commander', PASSWORD, code()).expect(200);
    expect((ok.body as SessionBody).user).toMatchObject({ role: 'commander', totpEnabled: true });
  });

  it('gives people and API keys the same role × region checks on existing routes', async () => {
    await insertUser(api.ds, { username: 'viewer', password: PASSWORD, role: 'viewer', regionCode: '500230' });
    const key = await issueApiKey(api.ds, 'fd-key', 'duty_officer', '500230');
    const officer = await signIn('fd-duty');
    const viewer = await signIn('viewer');
    // Both yield a caller: the board answers for the key and for the session cookie alike.
    await request(api.server).get('/api/v1/board').set('Authorization', `Bearer ${key}`).expect(200);
    await request(api.server).get('/api/v1/board').set('Cookie', officer.cookie).expect(200);
    await request(api.server).get('/api/v1/board').set('Cookie', viewer.cookie).expect(200);
    // A viewer reads but may not act; a duty officer is not an administrator.
    await request(api.server)
      .post('/api/v1/officer-warnings')
      .set('Cookie', viewer.cookie)
      .set('X-CSRF-Token', viewer.csrf)
      .send({})
      .expect(403);
    await request(api.server).get('/api/v1/users').set('Cookie', officer.cookie).expect(403);
    // Region: a 丰都 officer's warning read outside the region answers 404 as for keys.
    await request(api.server)
      .get('/api/v1/warnings/00000000-0000-0000-0000-000000000000')
      .set('Cookie', officer.cookie)
      .expect(404);
    // No key and no cookie: 401.
    await request(api.server).get('/api/v1/board').expect(401);
  });
});
