import request from 'supertest';
import { chinaDate } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { insertUser } from '@app/testing';
import { Page } from 'playwright-core';
import { Pipeline, startPipeline } from '../support/pipeline';
import { Desk, newDeskPage, openDesk, shot, signIn, walk } from './desk-support';
import { issueKey, resetQuietly, waitMatched } from './response-support';

const PASSWORD = 'Desk-test-passw0rd';
/** Today in China: a rating holds for its China day, so a UTC date is yesterday's from 16:00 UTC on. */
const TODAY = chinaDate(Date.now());

interface Listed {
  items: Array<{ id: string }>;
}

/** 研判: a yellow fire-danger alarm waits for the desk (TRIAGE_HOLD's default) until an officer decides. */
describe('duty desk: 研判 of held alerts', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let desk: Desk;
  let page: Page;
  let ingest: string;
  let towns: Array<{ code: string; name: string }>;

  const state = async (id: string) =>
    (await p.ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [id]))[0].state;
  const calls = async (id: string) =>
    (await p.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM call_tasks WHERE warning_id = $1`, [id]))[0]
      .n;
  const decisions = (id: string) =>
    p.ds.query<Array<{ actor: string; data: Record<string, unknown> }>>(
      `SELECT actor, data FROM events WHERE warning_id = $1 AND type = 'WarningTriaged'`,
      [id],
    );
  /** A fire-danger rating of 3 over a town: a yellow forest-fire alarm, held for 研判. */
  const yellowFire = async (townCode: string): Promise<string> => {
    const res = await request(p.server)
      .post('/api/v1/fire-danger-ratings')
      .set('Authorization', `Bearer ${ingest}`)
      .send({ areaCode: townCode, date: TODAY, rating: 3 })
      .expect(202);
    expect(res.body).toMatchObject({ action: 'raised', colour: 'yellow', held: true });
    return (res.body as { warningId: string }).warningId;
  };
  const as = (agent: ReturnType<typeof request.agent>, csrf: string) => ({
    post: (path: string, body: object = {}) => agent.post(path).set('X-CSRF-Token', csrf).send(body),
  });
  const signInApi = async (username: string) => {
    const agent = request.agent(p.server);
    const res = await agent.post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
    return { agent, ...as(agent, (res.body as { csrfToken: string }).csrfToken) };
  };

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.05' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const county = demo.shizhi.townCode.slice(0, 6);
    towns = await p.ds.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM admin_units WHERE level = 'town' AND code LIKE $1 AND code <> $2 ORDER BY code LIMIT 2`,
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
      username: 'other.duty',
      displayName: '邻镇值班',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: towns[0].code,
    });
    ingest = await issueKey(p.ds, 'fire-ratings', 'ingest', county);
    desk = await openDesk(p);
    page = await newDeskPage(desk);
  });

  afterAll(async () => {
    await desk?.browser.close();
    await p.stop();
  });

  it('holds the alarm, calling nobody, and shows it to that town’s officers only', async () => {
    const id = await yellowFire(demo.shizhi.townCode);
    expect(await state(id)).toBe('held');
    expect(await calls(id)).toBe(0);
    const other = await signInApi('other.duty');
    const list = await other.agent.get('/api/v1/incoming').expect(200);
    expect((list.body as Listed).items.map((i) => i.id)).not.toContain(id);
    await other.post(`/api/v1/incoming/${id}/confirm`).expect(404);
    const county = await signInApi('wang.fang');
    const mine = await county.agent.get('/api/v1/incoming').expect(200);
    expect((mine.body as Listed).items).toEqual([
      expect.objectContaining({ id, source: 'sensor', colour: 'yellow', hazardType: 'forest_fire', expired: false }),
    ]);
    const short = await county.post(`/api/v1/incoming/${id}/dismiss`, { reason: '' }).expect(400);
    expect((short.body as { message: string }).message).toBeTruthy();
    expect(await state(id)).toBe('held');
  });

  it('confirms from the 研判 screen: the alert is matched and called as it came', () =>
    walk(page, 'incoming-confirm', async () => {
      const [held] = await p.ds.query<Array<{ id: string; headline: string }>>(
        `SELECT id, headline FROM warnings WHERE state = 'held'`,
      );
      await signIn(page, desk, 'wang.fang', PASSWORD);
      await page.locator('[data-nav=incoming]').click();
      const row = page.locator('[data-test=incoming] tr', { hasText: held.headline });
      await row.waitFor();
      await shot(page, 'incoming');
      await row.locator('[data-test=incoming-confirm]').click();
      await waitMatched(p.ds, held.id);
      expect(['matching', 'tracking']).toContain(await state(held.id));
      expect(await calls(held.id)).toBeGreaterThan(0);
      await row.waitFor({ state: 'detached' });
      expect(await decisions(held.id)).toEqual([
        expect.objectContaining({ actor: 'user:wang.fang', data: { decision: 'confirmed' } }),
      ]);
      const county = await signInApi('wang.fang');
      const again = await county.post(`/api/v1/incoming/${held.id}/confirm`).expect(409);
      expect((again.body as { message: string }).message).toContain('已研判');
    }));

  it('dismisses with a reason, and edits another into a draft of the officer’s own', () =>
    walk(page, 'incoming-dismiss-edit', async () => {
      const dismissed = await yellowFire(towns[0].code);
      const edited = await yellowFire(towns[1].code);
      await page.locator('[data-nav=warnings]').click();
      await page.locator('[data-nav=incoming]').click();
      const headline = async (id: string) =>
        (await p.ds.query<Array<{ headline: string }>>(`SELECT headline FROM warnings WHERE id = $1`, [id]))[0]
          .headline;
      const first = page.locator('[data-test=incoming] tr', { hasText: await headline(dismissed) });
      await first.locator('[data-test=incoming-dismiss]').click();
      await page.locator('.el-message-box input').fill('现场核实无火情');
      await page.locator('.el-message-box').getByRole('button', { name: '驳回' }).click();
      await first.waitFor({ state: 'detached' });
      expect(await state(dismissed)).toBe('dismissed');
      expect(await calls(dismissed)).toBe(0);
      expect((await decisions(dismissed))[0].data).toEqual({ decision: 'dismissed', reason: '现场核实无火情' });

      await page
        .locator('[data-test=incoming] tr', { hasText: await headline(edited) })
        .locator('[data-test=incoming-edit]')
        .click();
      await page.waitForURL(/\/console\/drafts\//);
      const draftId = page.url().split('/drafts/')[1];
      const [draft] = await p.ds.query<
        Array<{ content: { colour: string; areaCodes: string[]; hazardType: string }; created_by: string }>
      >(`SELECT content, created_by FROM warning_drafts WHERE id = $1`, [draftId]);
      expect(draft).toMatchObject({
        created_by: 'user:wang.fang',
        content: { colour: 'yellow', hazardType: 'forest_fire', areaCodes: [towns[1].code] },
      });
      expect(await state(edited)).toBe('dismissed');
      expect((await decisions(edited))[0].data).toEqual({ decision: 'edited', draftId });
    }));
});
