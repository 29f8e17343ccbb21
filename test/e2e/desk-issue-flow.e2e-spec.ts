import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import { waitFor } from '@app/common';
import { insertUser } from '@app/testing';
import { Page } from 'playwright-core';
import { Pipeline, startPipeline } from '../support/pipeline';
import { Desk, firstScreenMs, newDeskPage, openDesk, shot, signIn, signOut, walk } from './desk-support';
import { resetQuietly } from './response-support';

const PASSWORD = 'Desk-test-passw0rd';

/** The duty desk walked as officers do: issue a red warning for a town from the tree, preview, approve, calls, answer, downgrade, lift. */
describe('duty desk: issue, approve, answer, downgrade, lift', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let desk: Desk;
  let page: Page;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.05' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const county = demo.shizhi.townCode.slice(0, 6);
    await insertUser(p.ds, {
      username: 'zhang.wei',
      displayName: '张伟',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: county,
    });
    await insertUser(p.ds, {
      username: 'li.na',
      displayName: '李娜',
      password: PASSWORD,
      role: 'duty_officer',
      regionCode: county,
    });
    desk = await openDesk(p);
    page = await newDeskPage(desk);
  });

  afterAll(async () => {
    await desk?.browser.close();
    await p.stop();
  });

  const warningsOfChain = (chainId: string) =>
    p.ds.query<Array<{ id: string; colour: string; state: string; version: number }>>(
      `SELECT id, colour, state, version FROM warnings WHERE chain_id = $1 ORDER BY version`,
      [chainId],
    );

  it(
    'walks the desk from sign-in to lift',
    () =>
      walk(page, 'issue-flow', async () => {
        const cold = await firstScreenMs(page, desk);
        const warm = await firstScreenMs(page, desk);
        process.stdout.write(`desk: first screen ${cold} ms cold, ${warm} ms with the browser cache\n`);
        const started = Date.now();
        await signIn(page, desk, 'zhang.wei', PASSWORD);
        process.stdout.write(`desk: sign-in to warnings list in ${Date.now() - started} ms\n`);
        await page.locator('[data-test=warnings-table]').waitFor();
        await shot(page, 'warnings');

        // 发布预警: 暴雨 红色 (the defaults), 十直镇 found in the division tree by name
        await page.locator('[data-nav=issue]').click();
        await page.locator('[data-test=division-search]').fill(demo.shizhi.townName);
        await page.locator(`[data-test=division-hits] [data-code="${demo.shizhi.townCode}"]`).click();
        await page.locator('[data-test=picked]').getByText(demo.shizhi.townName).waitFor();
        expect(await page.locator('[data-test=headline]').inputValue()).toContain('暴雨红色预警');
        await shot(page, 'issue');
        await page.locator('[data-test=save-draft]').click();

        // the draft's preview: who would be called, per town; waiting for a second officer
        await page.locator('[data-test=preview-total]').waitFor();
        const total = Number(await page.locator('[data-test=preview-total]').innerText());
        expect(total).toBeGreaterThan(0);
        await page.locator('[data-test=by-town]').getByText(demo.shizhi.townName).first().waitFor();
        expect(await page.locator('[data-test=ready]').innerText()).toBe('待审批');
        expect(await page.locator('[data-test=issue]').isDisabled()).toBe(true);
        await shot(page, 'preview');
        const draftUrl = page.url();
        await signOut(page);

        // a second officer approves and issues
        await signIn(page, desk, 'li.na', PASSWORD);
        await page.locator('[data-nav=approvals]').click();
        await page.locator('[data-test=approvals-table]').getByText('暴雨红色预警').first().click();
        // The router navigates after the click returns: wait for the draft's page, do not read the URL at once.
        await page.waitForURL(draftUrl);
        await page.locator('[data-test=approve]').click();
        await page.locator('[data-test=ready]').getByText('可签发').waitFor();
        await shot(page, 'approval');
        await page.locator('[data-test=issue]').click();
        await page.waitForURL(/\/console\/warnings\/[0-9a-f-]{36}$/);
        const warningId = page.url().split('/').pop() as string;

        // calls go out: the detail page lists the people called
        const [{ chain_id: chainId }] = await p.ds.query<Array<{ chain_id: string }>>(
          `SELECT chain_id FROM warnings WHERE id = $1`,
          [warningId],
        );
        await waitFor(
          async () =>
            (await p.ds.query<unknown[]>(`SELECT 1 FROM call_tasks WHERE warning_id = $1`, [warningId])).length > 0 ||
            null,
          { timeoutMs: 20_000 },
        );
        await page.getByRole('button', { name: '刷新' }).click();
        const rows = page.locator('[data-test=call-tasks] .el-table__body tr');
        await rows.first().waitFor();
        expect(await rows.count()).toBeGreaterThan(0);

        // a manual answer in two clicks: 已收到, then 确定
        const open = page
          .locator('[data-test=call-tasks] .el-table__body tr', { has: page.locator('[data-answer=received]') })
          .first();
        // The cell shows the name and, under it, the role: the name is its first line. The row is then found by that
        // name, so a table that reloads and reorders meanwhile cannot put another person's row under the click.
        const name = (await open.locator('[data-test=person]').innerText()).split('\n')[0].trim();
        const row = page
          .locator('[data-test=call-tasks] .el-table__body tr', {
            has: page.locator('[data-test=person]', { hasText: name }),
          })
          .first();
        await row.locator('[data-answer=received]').click();
        // The list reloads while the note is open (states change and rows reorder): the open answer stays with its
        // person, so 确定 records it for the person picked and nobody else.
        await page.getByRole('button', { name: '刷新' }).click();
        await row.locator('[data-test=answer-confirm]').click();
        // Recorded in PostgreSQL first; then the page, refreshed, shows it as answered by phone with no buttons left.
        const [ack] = await waitFor(
          async () => {
            const acks = await p.ds.query<Array<{ method: string; response: string }>>(
              `SELECT a.method, a.response FROM acknowledgements a JOIN call_tasks t ON t.id = a.call_task_id JOIN persons pe ON pe.id = t.person_id
           WHERE t.warning_id = $1 AND pe.name = $2`,
              [warningId, name.trim()],
            );
            return acks.length ? acks : null;
          },
          { timeoutMs: 30_000, what: `the manual answer of ${name} recorded` },
        );
        expect(ack).toEqual({ method: 'manual', response: 'received' });
        await page.getByRole('button', { name: '刷新' }).click();
        const answered = page
          .locator('[data-test=call-tasks] .el-table__body tr')
          .filter({ has: page.locator('[data-test=person]', { hasText: name }) })
          .first();
        await answered.getByText('电话').waitFor();
        expect(await answered.locator('[data-answer]').count()).toBe(0);
        expect(await answered.innerText()).toContain('已收到');
        await shot(page, 'warning-detail');

        // 电话叫应: the people handed to the desk (nobody can reach them, or silent past the deadline), with why and tel: links
        await page.locator('[data-nav=calls]').click();
        // (the red deadline is 30 s at TIMER_SCALE 0.05; the page refreshes itself every 15 s)
        await page.locator('[data-test=manual-calls] [data-test=why]').first().waitFor({ timeout: 90_000 });
        expect(await page.locator('[data-test=manual-calls] [data-test=why]').first().innerText()).toMatch(
          /无可用联系方式|未应答/,
        );
        await shot(page, 'manual-calls');
        await page.goto(`${desk.base}/warnings/${warningId}`);

        // 降级: red → orange, issued at once (orange restricted needs no second officer)
        await page.locator('[data-test=downgrade]').click();
        await page.locator('[data-test=update-of]').waitFor();
        await page.locator('[data-test=save-draft]').click();
        await page.locator('[data-test=ready]').getByText('可签发').waitFor();
        await page.locator('[data-test=issue]').click();
        await page.waitForURL(
          (url) => /\/warnings\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(warningId),
        );
        const chain = await warningsOfChain(chainId);
        expect(chain.map((w) => w.colour)).toEqual(['red', 'orange']);
        const current = chain[1].id;
        expect(page.url()).toContain(current);

        // 解除 with the preview of who will be told
        await page.locator('[data-test=lift]').click();
        await page.locator('[data-test=lift-preview]').waitFor();
        await page.locator('[data-test=lift-note]').fill('雨情减弱，解除预警');
        await page.locator('[data-test=lift-confirm]').click();
        await page.locator('[data-test=warning-state]').getByText('已解除').waitFor();
        expect((await warningsOfChain(chainId))[1].state).toBe('lifted');

        await signOut(page);
        expect(page.url()).toContain('/console/login');
      }),
    240_000,
  ); // a browser walk on a shared machine takes minutes, not the default one

  it('lets a second officer return a draft with a comment, which its author reads; the author cannot return their own', async () => {
    const signedIn = async (username: string) => {
      const agent = request.agent(p.server);
      const res = await agent.post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
      return { agent, csrf: (res.body as { csrfToken: string }).csrfToken };
    };
    const author = await signedIn('zhang.wei');
    const reviewer = await signedIn('li.na');
    const draft = await author.agent
      .post('/api/v1/officer-warnings')
      .set('X-CSRF-Token', author.csrf)
      .send({
        hazardType: 'rainstorm',
        colour: 'red',
        headline: '退回测试暴雨红色预警',
        areaCodes: [demo.shizhi.townCode],
      })
      .expect(201);
    const id = (draft.body as { id: string }).id;
    await author.agent
      .post(`/api/v1/officer-warnings/${id}/return`)
      .set('X-CSRF-Token', author.csrf)
      .send({ comment: '自己退回' })
      .expect(403);
    await reviewer.agent
      .post(`/api/v1/officer-warnings/${id}/return`)
      .set('X-CSRF-Token', reviewer.csrf)
      .send({ comment: '' })
      .expect(400);
    const returned = await reviewer.agent
      .post(`/api/v1/officer-warnings/${id}/return`)
      .set('X-CSRF-Token', reviewer.csrf)
      .send({ comment: '范围应扩大到下游村社' })
      .expect(200);
    expect(returned.body).toMatchObject({
      state: 'draft',
      approvals: [],
      ready: false,
      returned: { by: 'user:li.na', comment: '范围应扩大到下游村社' },
    });

    await walk(page, 'returned', async () => {
      await signIn(page, desk, 'zhang.wei', PASSWORD);
      await page.goto(`${desk.base}/drafts/${id}`);
      expect(await page.locator('[data-test=returned]').innerText()).toBe('范围应扩大到下游村社');
      // The author edits the returned draft from its page: the comment shows while editing; saving sends it again.
      await page.locator('[data-test=edit-draft]').click();
      await page.locator('[data-test=returned-note]').waitFor();
      expect(await page.locator('[data-test=headline]').inputValue()).toBe('退回测试暴雨红色预警');
      await page.locator('[data-test=headline]').fill('退回后修改的暴雨红色预警');
      await page.locator('[data-test=save-draft]').click();
      await page.waitForURL(new RegExp(`/drafts/${id}$`));
      await page.locator('[data-test=ready]').waitFor();
      expect(await page.locator('[data-test=returned]').count()).toBe(0);
      await signOut(page);
    });
    const [saved] = await p.ds.query<
      Array<{ content: { headline: string; areaCodes: string[] }; returned: unknown; approvals: unknown[] }>
    >(`SELECT content, returned, approvals FROM warning_drafts WHERE id = $1`, [id]);
    expect(saved).toMatchObject({
      content: { headline: '退回后修改的暴雨红色预警', areaCodes: [demo.shizhi.townCode] },
      returned: null,
      approvals: [],
    });
  }, 120_000);
});
