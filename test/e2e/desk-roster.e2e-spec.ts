import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import { insertUser } from '@app/testing';
import { Page } from 'playwright-core';
import { Pipeline, startPipeline } from '../support/pipeline';
import { Desk, newDeskPage, openDesk, shot, signIn, signOut, walk } from './desk-support';
import { resetQuietly } from './response-support';

const PASSWORD = 'Desk-test-passw0rd';
const HEADER = '区县,乡镇,村（社区）,责任对象,对象类型,行业/领域,责任类别,姓名,职务,手机号码,备用联系人/B角';

/** 名册 from the browser: a dry run lists the row and column of each error and writes nothing; a good file imports; the English switch. */
describe('duty desk: roster upload and the English switch', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let desk: Desk;
  let page: Page;
  let village: string;

  beforeAll(async () => {
    p = await startPipeline();
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    [{ name: village }] = await p.ds.query<Array<{ name: string }>>(`SELECT name FROM admin_units WHERE code = $1`, [
      demo.shizhi.villageCode,
    ]);
    await insertUser(p.ds, {
      username: 'zhao.lei',
      displayName: '赵磊',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: demo.shizhi.townCode.slice(0, 6),
    });
    desk = await openDesk(p);
    page = await newDeskPage(desk);
  });

  afterAll(async () => {
    await desk?.browser.close();
    await p.stop();
  });

  const assignments = async () =>
    (await p.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM responsibility_assignments`))[0].n;
  const csv = (mobile: string) =>
    Buffer.from(
      `\uFEFF${HEADER}\r\n丰都县,${demo.shizhi.townName},${village},,,地质灾害,巡查责任人,测试庚,巡查员,${mobile},\r\n`,
    );

  it(
    'checks a file in a dry run, shows its errors by row and column, then imports the corrected one',
    () =>
      walk(page, 'roster', async () => {
        const before = await assignments();
        await signIn(page, desk, 'zhao.lei', PASSWORD);
        await page.locator('[data-nav=roster]').click();

        await page
          .locator('[data-test=roster-file]')
          .setInputFiles({ name: '名册.csv', mimeType: 'text/csv', buffer: csv('12345') });
        await page.locator('[data-test=dry-run]').click();
        await page.locator('[data-test=roster-problems]').waitFor();
        const problems = await page.locator('[data-test=roster-problems]').innerText();
        expect(problems).toContain('2');
        expect(problems).toMatch(/手机/);
        expect(await page.locator('[data-test=import]').isDisabled()).toBe(true);
        await shot(page, 'roster');

        await page
          .locator('[data-test=roster-file]')
          .setInputFiles({ name: '名册.csv', mimeType: 'text/csv', buffer: csv('13800001277') });
        await page.locator('[data-test=dry-run]').click();
        await page.locator('[data-test=roster-result]').getByText('试运行结果').waitFor();
        expect(await assignments()).toBe(before);
        await page.locator('[data-test=import]').click();
        await page.locator('[data-test=roster-result]').getByText('导入结果').waitFor();
        expect(await assignments()).toBe(before + 1);
      }),
    120_000,
  );

  it(
    'renews an expired assignment from the fitness report in one click',
    () =>
      walk(page, 'roster-fitness', async () => {
        const [expired] = await p.ds.query<Array<{ id: string }>>(
          `WITH u AS (UPDATE responsibility_assignments SET valid_to = current_date - 1
           WHERE id = (SELECT a.id FROM responsibility_assignments a JOIN persons pe ON pe.id = a.person_id WHERE pe.name = '测试庚') RETURNING id)
         SELECT id FROM u`,
        );
        await page.locator('[data-nav=warnings]').click();
        await page.locator('[data-nav=roster]').click();
        await page.getByRole('tab', { name: /已过期/ }).click();
        const row = page.locator('.el-table__row', { hasText: '测试庚' });
        await row.locator('[data-test=fitness-renew]').click();
        await row.waitFor({ state: 'detached' });
        const [renewed] = await p.ds.query<Array<{ days: number }>>(
          `SELECT valid_to - current_date AS days FROM responsibility_assignments WHERE id = $1`,
          [expired.id],
        );
        expect(renewed.days).toBeGreaterThanOrEqual(364);
      }),
    60_000,
  );

  it('is served at /console/ with history routing, a strict CSP and cached assets, the board included', async () => {
    await request(p.server).get('/console').expect(301).expect('Location', '/console/');
    const deep = await request(p.server).get('/console/warnings/not-a-route-the-server-knows').expect(200);
    expect(deep.text).toContain('<div id="app">');
    expect(deep.headers['content-security-policy']).toContain("script-src 'self'");
    expect(deep.headers['cache-control']).toBe('no-cache');
    expect(deep.text).not.toMatch(/(src|href)="https?:/);
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(deep.text)?.[1] as string;
    const js = await request(p.server).get(asset).expect(200);
    expect(js.headers['cache-control']).toContain('immutable');
    // The build's brotli copy goes out to a browser that takes it, the plain file to one that does not.
    const br = await request(p.server).get(asset).set('Accept-Encoding', 'gzip, deflate, br').expect(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBeLessThan(js.text.length / 2);
    expect(br.text).toBe(js.text);
    await request(p.server).get('/console/assets/missing.js').expect(404);
    // The commander's board is a screen of the desk too (no server-rendered page of its own any more).
    expect((await request(p.server).get('/console/board').expect(200)).text).toContain('<div id="app">');
  });

  it('switches the desk to English and back', () =>
    walk(page, 'english', async () => {
      await page.locator('[data-test=lang]').click();
      await page.locator('[data-nav=warnings]').getByText('Warnings').waitFor();
      expect(await page.locator('[data-nav=roster]').innerText()).toBe('Roster');
      await page.locator('[data-test=lang]').click();
      await page.locator('[data-nav=warnings]').getByText('预警').waitFor();
      await signOut(page);
    }));
});
