import request from 'supertest';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '@app/demo';
import { resetDatabase } from '@app/testing';
import { createApiKey, ensureDemoApiKey } from '../../apps/cli/src/commands';
import { userCommand } from '../../apps/cli/src/user-commands';
import { ApiOnly, startApiOnly } from '../support/api-app';

/** `jiaoying user …` for the first administrator, and demo accounts and keys that survive starting the demo again. */
describe('accounts from the command line and the demo', () => {
  let api: ApiOnly;

  beforeAll(async () => {
    api = await startApiOnly();
    await resetDatabase(api.ds);
    await api.ds.query(`INSERT INTO admin_units (code, name, level, parent_code) VALUES
      ('500000', '重庆市', 'province', NULL), ('500230', '丰都县', 'county', '500000'), ('500230107', '十直镇', 'town', '500230')`);
  });

  afterAll(async () => {
    await api.stop();
  });

  const login = (username: string, password: string) =>
    request(api.server).post('/api/v1/auth/login').send({ username, password });

  it('adds the first administrator, who can sign in; disables and resets accounts', async () => {
    const added = await userCommand(api.ds, ['add', 'first-admin', 'admin', '500000', '--name', '首任管理员']);
    expect(added?.[0]).toBe('account first-admin created: admin of 重庆市 (500000)');
    const password = (added?.[1] ?? '').replace('password: ', '');
    expect(password.length).toBeGreaterThanOrEqual(16);
    const res = await login('first-admin', password).expect(200);
    expect(res.body).toMatchObject({ user: { displayName: '首任管理员', role: 'admin' } });

    expect(
      await userCommand(api.ds, [
        'add',
        'sz-officer',
        'duty_officer',
        '500230107',
        '--password',
        'town-officer-pass-77',
      ]),
    ).toEqual(['account sz-officer created: duty_officer of 十直镇 (500230107)']);
    await expect(
      userCommand(api.ds, ['add', 'weak', 'duty_officer', '500230', '--password', '1234567890']),
    ).rejects.toThrow(/过于常见/);
    expect(await userCommand(api.ds, ['add', 'x', 'mayor', '500230'])).toBeNull();

    const cookie = (
      (await login('sz-officer', 'town-officer-pass-77').expect(200)).headers['set-cookie'] as unknown as string[]
    )[0].split(';')[0];
    expect(await userCommand(api.ds, ['disable', 'sz-officer'])).toEqual([
      'account sz-officer disabled; its sessions have ended',
    ]);
    await request(api.server).get('/api/v1/auth/me').set('Cookie', cookie).expect(401);
    await userCommand(api.ds, ['enable', 'sz-officer']);
    const reset = await userCommand(api.ds, ['reset', 'sz-officer']);
    await login('sz-officer', 'town-officer-pass-77').expect(401);
    await login('sz-officer', (reset?.[1] ?? '').replace('password: ', '')).expect(200);
    const [{ actors }] = await api.ds.query<Array<{ actors: string[] }>>(
      `SELECT array_agg(DISTINCT type ORDER BY type) AS actors FROM events WHERE actor = 'cli'`,
    );
    expect(actors).toEqual(['UserCreated', 'UserDisabled', 'UserPasswordReset', 'UserUpdated']);
  });

  it('keeps demo accounts, their sessions and the demo keys when the demo is seeded again', async () => {
    expect(await seedDemoAccounts(api.ds)).toBe(DEMO_ACCOUNTS.length);
    const commander = DEMO_ACCOUNTS.find((a) => a.username === 'fd-commander')!;
    const signed = await login(commander.username, commander.password).expect(200);
    const cookie = (signed.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    const key = await ensureDemoApiKey('demo-duty-officer', 'duty_officer', '500000');

    expect(await seedDemoAccounts(api.ds)).toBe(0);
    expect(await ensureDemoApiKey('demo-duty-officer', 'duty_officer', '500000')).toBe(key);

    await request(api.server).get('/api/v1/auth/me').set('Cookie', cookie).expect(200);
    await request(api.server).get('/api/v1/board').set('Authorization', `Bearer ${key}`).expect(200);
    for (const account of DEMO_ACCOUNTS) {
      await login(account.username, account.password).expect(200);
    }
  });

  it('keeps a demo key revoked on purpose revoked at the next start; issuing the name again lifts it', async () => {
    const key = await ensureDemoApiKey('demo-commander-fengdu', 'commander', '500230');
    await api.ds.query(`UPDATE api_keys SET revoked_at = now() WHERE name = 'demo-commander-fengdu'`);
    expect(await ensureDemoApiKey('demo-commander-fengdu', 'commander', '500230')).toBe(key);
    await request(api.server).get('/api/v1/board').set('Authorization', `Bearer ${key}`).expect(401);

    const issued = await createApiKey('demo-commander-fengdu', 'commander', '500230');
    expect(issued).not.toBe(key);
    await request(api.server).get('/api/v1/board').set('Authorization', `Bearer ${issued}`).expect(200);
    await request(api.server).get('/api/v1/board').set('Authorization', `Bearer ${key}`).expect(401);
  });
});
