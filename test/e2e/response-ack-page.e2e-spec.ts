import request from 'supertest';
import { mkdtempSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TokenSigner } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DemoSummary, seedDemo } from '@app/demo';
import { AckLinks } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import {
  CHROMIUM_ARGS,
  TaskRow,
  issueKey,
  postCap,
  resetQuietly,
  tasksOf,
  tokenFor,
  waitMatched,
} from './response-support';

/** The link page: small, no scripts, GET never answers, bad tokens get a clear page and a 4xx, the route is rate-limited. */
describe('the ack link page', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let tasks: TaskRow[];

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.05', ACK_RATE_PER_SECOND: '20' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    const { id } = await postCap(p, ingest, { identifier: 'ACK-PAGE', geocode: demo.shizhi.villageCode });
    await waitMatched(p.ds, id);
    tasks = (await tasksOf(p.ds, id)).filter((t) => t.state !== 'unreachable');
  });

  afterAll(async () => {
    await p.stop();
  });

  const acks = async (taskId: string) =>
    (await p.ds.query<unknown[]>(`SELECT 1 FROM acknowledgements WHERE call_task_id = $1`, [taskId])).length;

  it('is small and script-free, lists every reason and the deadline, and opening it is not an answer', async () => {
    const t = tasks[0];
    for (let i = 0; i < 3; i++) {
      const page = await request(p.server)
        .get(`/ack/${tokenFor(p, t)}`)
        .expect(200);
      expect(page.text).not.toContain('<script');
      expect(page.text).toContain('请于');
      expect(page.text).toContain('已收到');
      expect(page.text).toContain('无法履职');
      process.stdout.write(i === 0 ? `ack page: ${Buffer.byteLength(page.text)} bytes\n` : '');
      expect(Buffer.byteLength(page.text)).toBeLessThan(8 * 1024);
    }
    expect(await acks(t.id)).toBe(0);
    const [opened] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM events WHERE call_task_id = $1 AND type = 'AckLinkOpened'`,
      [t.id],
    );
    expect(opened.n).toBe(3);
  });

  it('refuses forged, altered, foreign-purpose and expired tokens with a page and a 4xx, writing nothing', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh rate-limit window: 18 requests follow
    const t = tasks[1];
    const good = tokenFor(p, t);
    const config = p.app.get<AppConfig>(APP_CONFIG);
    const signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
    const expired = signer.sign({ sub: t.id, per: t.person_id, pur: 'ack', exp: Math.floor(Date.now() / 1000) - 60 });
    const altered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherPerson = signer.sign({
      sub: t.id,
      per: tasks[2].person_id,
      pur: 'ack',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const order = p.app.get(AckLinks).orderToken(t.id, t.person_id);
    const cases: Array<[string, number]> = [
      [altered, 404],
      [expired, 410],
      [order, 404],
      ['x.y', 404],
      ['%00', 404],
      [otherPerson, 404],
    ];
    for (const [token, status] of cases) {
      const page = await request(p.server).get(`/ack/${encodeURIComponent(token)}`);
      expect({ token, status: page.status }).toEqual({ token, status });
      expect(page.text).toContain('<html lang="zh-CN">');
      expect(page.text).not.toContain(t.id);
      await request(p.server)
        .post(`/ack/${encodeURIComponent(token)}`)
        .type('form')
        .send({ response: 'received' })
        .expect(status);
      const json = await request(p.server)
        .post(`/api/v1/ack/${encodeURIComponent(token)}`)
        .send({ response: 'received' });
      expect(json.status).toBe(status);
    }
    expect(await acks(t.id)).toBe(0);
  });

  it('records 已收到 pressed in Debian chromium, once', async () => {
    // A fresh rate-limit window: the test before sent 18 requests, and the page, the answer and the page it redirects
    // to are three more (the redirect had drawn a 429 when this test began within the same second).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const t = tasks[3];
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    const { port } = p.server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
      const link = `http://127.0.0.1:${port}/ack/${tokenFor(p, t)}`;
      await page.goto(link);
      expect(await acks(t.id)).toBe(0);
      await page.getByRole('button', { name: '已收到' }).click();
      await page.getByRole('heading', { name: '确认成功' }).waitFor();
      const shot = join(mkdtempSync(join(tmpdir(), 'jiaoying-ack-')), 'ack-done.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(1000);
      process.stdout.write(`screenshot: ${shot}\n`);
      // The press came back as a redirect to the page itself: reloading it shows the answer, and so does the link
      // opened again later (a new page, so no browser history is involved), with no answer buttons left.
      expect(new URL(page.url()).pathname).toBe(new URL(link).pathname);
      await page.reload();
      await page.getByText('确认：已收到', { exact: false }).first().waitFor();
      const later = await browser.newPage({ javaScriptEnabled: false });
      await later.goto(link);
      await later.getByText('您已于', { exact: false }).first().waitFor();
      expect(await later.getByRole('button', { name: '已收到' }).count()).toBe(0);
    } finally {
      await browser.close();
    }
    const [ack] = await p.ds.query<Array<{ method: string; response: string }>>(
      `SELECT method, response FROM acknowledgements WHERE call_task_id = $1`,
      [t.id],
    );
    expect(ack).toEqual({ method: 'link', response: 'received' });
  });

  it('answers 429 to more than 20 requests a second from one address', async () => {
    // The limit counts per clock second: start right after a second begins, so the burst is counted in one window
    // however slowly a busy machine takes the requests in (a burst straddling two windows may stay under in both).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        request(p.server)
          .get('/ack/x.y')
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(20);
  });
});
