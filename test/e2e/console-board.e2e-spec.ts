import request from 'supertest';
import { mkdtempSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TokenSigner, waitFor } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DemoSummary, seedDemo } from '@app/demo';
import { AckLinks, keyFingerprint } from '@app/response';
import { Pipeline, startPipeline } from '../support/pipeline';
import { CHROMIUM_ARGS, issueKey, postCap, resetQuietly, waitMatched } from './response-support';

/**
 * The commander's console: a browser signs in once with an API key and gets a session cookie (never the key), the board
 * page shows the JSON board's data for the key's region only, and it updates itself while open.
 */
describe('the console board', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ingest: string;
  let duty: string;
  let fengdu: string;
  let tongliang: string;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.01', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    duty = await issueKey(p.ds, 'duty', 'duty_officer', '500000');
    fengdu = await issueKey(p.ds, 'commander-fengdu', 'commander', '500230');
    tongliang = await issueKey(p.ds, 'commander-tongliang', 'commander', '500151');
  });

  afterAll(async () => {
    await p.stop();
  });

  const signIn = (key: string) => request(p.server).post('/console/sign-in').type('form').send({ key });
  const setCookies = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  /** The session cookie as a browser sends it back. */
  async function session(key: string): Promise<string> {
    const res = await signIn(key).expect(303);
    return setCookies(res)[0].split(';')[0];
  }
  const board = (cookie: string) => request(p.server).get('/console/board').set('Cookie', cookie);
  const keyRow = async (name: string) =>
    (await p.ds.query<Array<{ id: string; key_hash: string }>>(`SELECT id, key_hash FROM api_keys WHERE name = $1`, [name]))[0];
  const expectBackToSignIn = (res: request.Response, reason: string) => {
    expect({ status: res.status, location: res.headers.location }).toEqual({ status: 303, location: `/console/sign-in?r=${reason}` });
    expect(setCookies(res).join()).toMatch(/^jy_console=; Path=\/console; Expires=Thu, 01 Jan 1970/);
  };

  it('sends a browser without a session to a self-contained zh-CN sign-in page', async () => {
    await request(p.server).get('/console').expect(303).expect('Location', '/console/board');
    await request(p.server).get('/console/board').expect(303).expect('Location', '/console/sign-in');
    await request(p.server).get('/console/board/live').expect(401);
    const page = await request(p.server).get('/console/sign-in').expect(200);
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('<label for="key">API 密钥</label>');
    expect(page.text).not.toContain('<script');
    expect(page.text).not.toMatch(/(src|href)="https?:/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('refuses an unknown key (401), an empty one (400) and an ingest key (403) with a zh-CN message and no session', async () => {
    const cases: Array<[string, number, string]> = [
      ['not-a-key', 401, 'API 密钥无效或已吊销。请检查是否完整粘贴'],
      ['', 400, '请粘贴 API 密钥。'],
      [ingest, 403, '此密钥的角色为「数据接入」，不能查看指挥看板。请使用指挥长或值班员的密钥登录。'],
    ];
    for (const [key, status, message] of cases) {
      const res = await signIn(key);
      expect({ key, status: res.status }).toEqual({ key, status });
      expect(res.text).toContain('<p class="error" role="alert">');
      expect(res.text).toContain(message);
      expect(res.text).toContain('<form method="post" action="/console/sign-in">');
      expect(setCookies(res).filter((c) => /^jy_console=[^;]/.test(c))).toEqual([]);
    }
  });

  it('opens a 12-hour HttpOnly, SameSite=Strict session carrying the key id, never the key; signs out', async () => {
    const res = await signIn(` ${fengdu}\n`).expect(303).expect('Location', '/console/board');
    const [cookie] = setCookies(res);
    expect(cookie).toMatch(/^jy_console=[\w-]+\.[\w-]+; Max-Age=43200; Path=\/console; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(fengdu);
    const payload = JSON.parse(Buffer.from(cookie.split('=')[1].split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    const row = await keyRow('commander-fengdu');
    expect(payload).toMatchObject({ sub: row.id, pur: 'console' });
    expect(JSON.stringify(payload)).not.toContain(row.key_hash);

    const sessionCookie = cookie.split(';')[0];
    const page = await board(sessionCookie).expect(200);
    expect(page.text).toContain('<h1>叫应指挥看板 · 丰都县</h1>');
    expect(page.text).toContain('指挥长 commander-fengdu');
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="10"></noscript>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-/);
    const live = await request(p.server).get('/console/board/live').set('Cookie', sessionCookie).expect(200);
    expect(live.text).toContain('<section id="escalations">');
    expect(live.text).not.toContain('<html');

    const out = await request(p.server).post('/console/sign-out').set('Cookie', sessionCookie).expect(303);
    expectBackToSignIn(out, 'signed_out');
    expect((await request(p.server).get('/console/sign-in?r=signed_out')).text).toContain('您已退出登录。');
  });

  it('sends forged, foreign, expired and other-purpose cookies back to the sign-in', async () => {
    const good = (await session(fengdu)).split('=')[1];
    const config = p.app.get<AppConfig>(APP_CONFIG);
    const signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
    const row = await keyRow('commander-fengdu');
    const other = await keyRow('commander-tongliang');
    const [payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const swapped = `${Buffer.from(JSON.stringify({ ...claims, sub: other.id })).toString('base64url')}.${signature}`;
    const foreignKey = new TokenSigner({ [config.ack.currentKid]: 'an-attackers-own-secret-of-32-characters' }, config.ack.currentKid);
    const past = Math.floor(Date.now() / 1000) - 60;
    const cases: Array<[string, string]> = [
      [swapped, 'invalid'],
      [foreignKey.sign({ sub: row.id, per: keyFingerprint(row.key_hash), pur: 'console', exp: past + 3600 }), 'invalid'],
      [p.app.get(AckLinks).orderToken(row.id, row.id), 'invalid'],
      ['garbage', 'invalid'],
      [signer.sign({ sub: row.id, per: keyFingerprint(row.key_hash), pur: 'console', exp: past }), 'expired'],
    ];
    for (const [token, reason] of cases) {
      expectBackToSignIn(await board(`jy_console=${token}`), reason);
      await request(p.server).get('/console/board/live').set('Cookie', `jy_console=${token}`).expect(401);
    }
    expect((await request(p.server).get('/console/sign-in?r=expired')).text).toContain('登录已超过 12 小时，请重新登录。');
    await board(`jy_console=${good}`).expect(200);
  });

  it('ends the sessions of a revoked or re-issued key at once, and applies a role change at once', async () => {
    const name = 'commander-short-lived';
    const key = await issueKey(p.ds, name, 'commander', '500230');
    const cookie = await session(key);
    await board(cookie).expect(200);
    await p.ds.query(`UPDATE api_keys SET role = 'ingest' WHERE name = $1`, [name]);
    const refused = await board(cookie).expect(403);
    expect(refused.text).toContain('此密钥的角色为「数据接入」，不能查看指挥看板');
    await p.ds.query(`UPDATE api_keys SET role = 'commander' WHERE name = $1`, [name]);
    await board(cookie).expect(200);
    await p.ds.query(`UPDATE api_keys SET key_hash = md5('re-issued') || md5('key') WHERE name = $1`, [name]);
    expectBackToSignIn(await board(cookie), 'revoked');

    const again = await session(fengdu);
    await board(again).expect(200);
    await p.ds.query(`UPDATE api_keys SET revoked_at = now() WHERE name = 'commander-fengdu'`);
    expectBackToSignIn(await board(again), 'revoked');
    await signIn(fengdu).expect(401);
    await p.ds.query(`UPDATE api_keys SET revoked_at = NULL WHERE name = 'commander-fengdu'`);
  });

  it('shows each commander the region of their key only: 铜梁 does not see 丰都', async () => {
    const [town] = await p.ds.query<Array<{ code: string; name: string }>>(
      `SELECT u.code, u.name FROM admin_units u WHERE u.level = 'town' AND u.code LIKE '500151%'
         AND EXISTS (SELECT 1 FROM persons p WHERE p.admin_unit_code LIKE u.code || '%') ORDER BY u.code LIMIT 1`,
    );
    const fengduHeadline = '丰都县气象台发布暴雨红色预警信号（区域测试）';
    const tongliangHeadline = `铜梁区气象台发布暴雨橙色预警信号（${town.name}）`;
    const warnings = [
      await postCap(p, ingest, { identifier: 'CONSOLE-FD', geocode: demo.shizhi.townCode, headline: fengduHeadline }),
      await postCap(p, ingest, {
        identifier: 'CONSOLE-TL', sender: 'tongliang-qxt@cma.gov.cn', geocode: town.code, colour: '橙色', severity: 'Severe', headline: tongliangHeadline,
        areaDesc: `铜梁区${town.name}`,
      }),
    ];
    for (const w of warnings) {
      await waitMatched(p.ds, w.id);
    }
    try {
      const pages = {
        fengdu: (await board(await session(fengdu)).expect(200)).text,
        tongliang: (await board(await session(tongliang)).expect(200)).text,
        duty: (await board(await session(duty)).expect(200)).text,
      };
      expect(pages.fengdu).toContain(fengduHeadline);
      expect(pages.fengdu).toContain(`<strong>${demo.shizhi.townName}</strong>`);
      expect(pages.fengdu).not.toContain(tongliangHeadline);
      expect(pages.tongliang).toContain('<h1>叫应指挥看板 · 铜梁区</h1>');
      expect(pages.tongliang).toContain(tongliangHeadline);
      expect(pages.tongliang).toContain('<span class="badge orange">橙</span>');
      expect(pages.tongliang).not.toContain(fengduHeadline);
      expect(pages.tongliang).not.toContain(demo.shizhi.townName);
      expect(pages.duty).toContain(fengduHeadline);
      expect(pages.duty).toContain(tongliangHeadline);
    } finally {
      // Lifted, so their escalations (every 6 s at this timer scale) do not crowd the next test's board.
      for (const w of warnings) {
        await request(p.server).post(`/api/v1/warnings/${w.id}/lift`).set('Authorization', `Bearer ${duty}`).send({}).expect(200);
      }
    }
  });

  it('shows a new open escalation in Debian chromium while the page stays open (no reload)', async () => {
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    const { port } = p.server.address() as AddressInfo;
    const headline = '丰都县气象台发布暴雨红色预警信号（实时看板测试）';
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`http://127.0.0.1:${port}/console/board`);
      await page.getByLabel('API 密钥').fill(fengdu);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '叫应指挥看板 · 丰都县' }).waitFor();
      await page.locator('#live.ok').waitFor();
      expect(await page.evaluate('document.cookie')).toBe(''); // HttpOnly: no script can read the session
      let navigations = 0;
      page.on('framenavigated', (frame) => (navigations += frame === page.mainFrame() ? 1 : 0));
      await page.evaluate('window.stillHere = true'); // a reload would lose it
      expect(await page.locator('#escalations').textContent()).not.toContain(headline);

      const { id } = await postCap(p, ingest, { identifier: 'CONSOLE-LIVE', geocode: demo.shizhi.villageCode, headline });
      await waitMatched(p.ds, id);
      const first = await waitFor(
        async () =>
          (await p.ds.query<Array<{ name: string }>>(
            `SELECT fp.name FROM escalations e JOIN call_tasks t ON t.id = e.from_task_id JOIN persons fp ON fp.id = t.person_id
             WHERE e.warning_id = $1 ORDER BY e.at, e.id LIMIT 1`,
            [id],
          ))[0],
        { what: 'an escalation of the new warning', timeoutMs: 30_000 },
      );
      const row = page.locator('#escalations li', { hasText: headline }).first();
      await row.waitFor({ timeout: 15_000 });
      expect(await row.textContent()).toMatch(/已超时 \d+ (秒|分钟)|\d+ (秒|分钟)前/);
      await page.locator('#escalations li', { hasText: first.name }).first().waitFor({ timeout: 10_000 });
      expect(navigations).toBe(0);
      expect(await page.evaluate('window.stillHere')).toBe(true);

      const shot = join(mkdtempSync(join(tmpdir(), 'jiaoying-console-')), 'console-board.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(1000);
      process.stdout.write(`screenshot: ${shot}\n`);
    } finally {
      await browser.close();
    }
  });
});
