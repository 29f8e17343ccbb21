import { DemoSummary, seedDemo } from '@app/demo';
import { insertUser } from '@app/testing';
import { Page } from 'playwright-core';
import { Pipeline, startPipeline } from '../support/pipeline';
import { Desk, newDeskPage, openDesk, shot, signIn, signOut, walk } from './desk-support';
import { issueKey, postCap, resetQuietly, waitMatched } from './response-support';

const PASSWORD = 'Desk-test-passw0rd';

/** Drawing an area on our own boundaries and previewing it; a town officer never sees another town's warning. */
describe('duty desk: map drawing and region', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let desk: Desk;
  let page: Page;
  let otherTown: { code: string; name: string };

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.05' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const county = demo.shizhi.townCode.slice(0, 6);
    [otherTown] = await p.ds.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM admin_units WHERE level = 'town' AND code LIKE $1 AND code <> $2 ORDER BY code LIMIT 1`,
      [`${county}%`, demo.shizhi.townCode],
    );
    await insertUser(p.ds, {
      username: 'wang.fang',
      displayName: '王芳',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: county,
    });
    await insertUser(p.ds, {
      username: 'shizhi.duty',
      displayName: '十直值班',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: demo.shizhi.townCode,
    });
    await insertUser(p.ds, {
      username: 'other.duty',
      displayName: '邻镇值班',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: otherTown.code,
    });
    desk = await openDesk(p);
    page = await newDeskPage(desk);
  });

  afterAll(async () => {
    await desk?.browser.close();
    await p.stop();
  });

  it(
    'previews a polygon drawn on the map of the county’s towns, writing nothing',
    () =>
      walk(page, 'map', async () => {
        const drafts = async () =>
          (await p.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM warning_drafts`))[0].n;
        const before = await drafts();
        await signIn(page, desk, 'wang.fang', PASSWORD);
        await page.locator('[data-nav=issue]').click();
        await page.getByRole('tab', { name: '在地图上绘制' }).click();
        const map = page.locator('[data-test=map]');
        await map.locator('canvas').first().waitFor();
        await page.locator('[data-test=map] .el-loading-mask').waitFor({ state: 'detached' });
        const box = (await map.boundingBox())!;
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        for (const [dx, dy] of [
          [-90, -70],
          [90, -70],
          [110, 60],
          [-80, 80],
        ]) {
          await page.mouse.click(cx + dx, cy + dy);
        }
        await page.locator('[data-test=draw-finish]').click();
        await page.locator('[data-test=drawn-units]').waitFor();
        expect(await page.locator('[data-test=drawn-units]').innerText()).not.toContain('无');
        await page.locator('[data-test=preview-btn]').click();
        await page.locator('[data-test=preview-total]').waitFor();
        expect(Number(await page.locator('[data-test=preview-total]').innerText())).toBeGreaterThan(0);
        await shot(page, 'map-preview');
        expect(await drafts()).toBe(before);
        await signOut(page);
      }),
    120_000,
  );

  it(
    'shows a town’s warning to its officer only: the other town sees nothing and cannot act, in the UI or the API',
    () =>
      walk(page, 'region', async () => {
        const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
        const { id } = await postCap(p, ingest, {
          identifier: 'DESK-REGION',
          geocode: demo.shizhi.villageCode,
          headline: '十直镇山洪红色预警',
        });
        await waitMatched(p.ds, id);

        await signIn(page, desk, 'shizhi.duty', PASSWORD);
        await page.locator('[data-test=warnings-table]').getByText('十直镇山洪红色预警').waitFor();
        await signOut(page);

        await signIn(page, desk, 'other.duty', PASSWORD);
        await page.locator('[data-test=warnings-table] .el-table__empty-text').waitFor();
        expect(await page.locator('[data-test=warnings-table]').innerText()).not.toContain('十直镇山洪红色预警');
        await page.goto(`${desk.base}/warnings/${id}`);
        await page.locator('[data-test=detail-error]').waitFor();
        expect(await page.locator('body').innerText()).not.toContain('十直镇山洪红色预警');
        const api = page.context().request;
        expect((await api.get(`${desk.base.replace('/console', '')}/api/v1/warnings/${id}`)).status()).toBe(404);
        const csrf = await page.evaluate(
          async () => ((await (await fetch('/api/v1/auth/me')).json()) as { csrfToken?: string }).csrfToken ?? '',
        );
        const lift = await api.post(`${desk.base.replace('/console', '')}/api/v1/warnings/${id}/lift`, {
          headers: { 'X-CSRF-Token': csrf },
          data: {},
        });
        expect(lift.status()).toBe(404);
        const [w] = await p.ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [id]);
        expect(w.state).not.toBe('lifted');
        await signOut(page);
      }),
    120_000,
  );
});
