import request from 'supertest';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TokenSigner, waitFor } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DemoSummary, seedDemo } from '@app/demo';
import { AckLinks } from '@app/calls';
import { Pipeline, startPipeline } from '../support/pipeline';
import { CHROMIUM_ARGS, issueKey, resetQuietly } from './response-support';

interface Target {
  id: string;
  person_id: string;
  address: string;
}

/**
 * The 熔断 order page (GET/POST /order/:token): what a unit's responsible person opens from the notice on a phone.
 * Opening is not an answer; 已收到指令 and 已执行 go through the same write path as the JSON endpoint.
 */
describe('the 熔断 order page', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let duty: string;
  let port: number;
  let persons: Array<{ id: string; address: string }>;

  beforeAll(async () => {
    port = await freePort();
    // The notice links point at this server, so the browser opens exactly the link the email carries.
    p = await startPipeline({
      TIMER_SCALE: '1',
      ACK_RATE_PER_SECOND: '20',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    duty = await issueKey(p.ds, 'duty', 'duty_officer', '500230');
    persons = await p.ds.query(
      `SELECT DISTINCT ON (p.id) p.id, c.address FROM persons p
       JOIN contact_methods c ON c.person_id = p.id AND c.channel = 'email' AND c.invalid_at IS NULL
       WHERE p.active AND p.admin_unit_code LIKE $1 || '%' ORDER BY p.id, c.priority LIMIT 8`,
      [demo.shizhi.townCode],
    );
    expect(persons).toHaveLength(8);
  });

  afterAll(async () => {
    await p.stop();
  });

  /** Issues an order to these persons (十直镇 units) and returns its targets. */
  async function issue(
    who: Array<{ id: string; address: string }>,
    deadlines = { ackDeadlineMin: 60, executeDeadlineMin: 120 },
  ) {
    const res = await request(p.server)
      .post('/api/v1/orders')
      .set('Authorization', `Bearer ${duty}`)
      .send({
        measure: 'road_closure',
        title: '封闭十直镇沿河道路',
        instruction: '设置路障，禁止车辆通行',
        regionCode: demo.shizhi.townCode,
        ...deadlines,
        targets: who.map((w, i) => ({ personId: w.id, unitName: `十直镇第${i + 1}执行单位` })),
      })
      .expect(201);
    const id = (res.body as { id: string }).id;
    const rows = await p.ds.query<Array<{ id: string; person_id: string }>>(
      `SELECT id, person_id FROM order_targets WHERE order_id = $1`,
      [id],
    );
    return {
      id,
      targets: who.map((w) => ({
        ...(rows.find((r) => r.person_id === w.id) as { id: string; person_id: string }),
        address: w.address,
      })),
    };
  }

  const tokenOf = (t: Target) => p.app.get(AckLinks).orderToken(t.id, t.person_id);
  const press = (token: string, form: Record<string, string>) =>
    request(p.server)
      .post(`/order/${encodeURIComponent(token)}`)
      .type('form')
      .send(form);
  const rowOf = async (t: Target) =>
    (
      await p.ds.query<Array<Record<string, unknown>>>(
        `SELECT state, acknowledged_at IS NOT NULL AS acknowledged, executed_at IS NOT NULL AS executed, evidence_note, evidence_url
       FROM order_targets WHERE id = $1`,
        [t.id],
      )
    )[0];
  const recordsOf = (t: Target) =>
    p.ds.query<Array<{ kind: string; detail: Record<string, unknown> }>>(
      `SELECT kind, detail FROM performance_records WHERE order_target_id = $1 ORDER BY at, kind`,
      [t.id],
    );
  const eventsOf = (t: Target) =>
    p.ds.query<Array<{ type: string; actor: string; data: Record<string, unknown> }>>(
      `SELECT type, actor, data - 'orderId' - 'targetId' AS data FROM events WHERE data->>'targetId' = $1 AND type <> 'OrderEscalated' ORDER BY at, id`,
      [t.id],
    );
  const answersOf = async (t: Target) => (await eventsOf(t)).filter((e) => e.type !== 'OrderLinkOpened');
  const mailTo = (address: string, subject: string) =>
    waitFor(() => p.mail.list({ to: address }).find((m) => m.subject.includes(subject)), {
      what: `${subject} mail to ${address}`,
    });

  /** The order page link a notice carries (PUBLIC_BASE_URL/order/<token>). */
  const linkIn = (text: string) => {
    const link = /^http\S+$/m.exec(text)?.[0] ?? '';
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/order/[\\w-]+\\.[\\w-]+$`));
    return link;
  };

  let order: { id: string; targets: Target[] };

  it('is linked from the notice, shows the order, and opening it is not an answer', async () => {
    order = await issue(persons.slice(0, 4));
    const t = order.targets[0];
    const mail = await mailTo(t.address, '【熔断指令·断（道路封闭）】');
    const link = linkIn(mail.text);
    expect(mail.html).toContain(`<a href="${link}">`);
    expect(mail.text).not.toContain('/api/v1/order-targets/');
    for (let i = 0; i < 2; i++) {
      const page = await request(p.server).get(new URL(link).pathname).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).not.toContain('<script');
      for (const fact of [
        '封闭十直镇沿河道路',
        '断（道路封闭）',
        '十直镇第1执行单位',
        '设置路障',
        '确认时限',
        '执行时限',
        '值班员（duty）',
        '待签收',
        '已收到指令',
        '已执行',
      ]) {
        expect(page.text).toContain(fact);
      }
      process.stdout.write(i === 0 ? `order page: ${Buffer.byteLength(page.text)} bytes\n` : '');
      expect(Buffer.byteLength(page.text)).toBeLessThan(8 * 1024);
    }
    expect(await rowOf(t)).toMatchObject({ state: 'ordered', acknowledged: false });
    expect(await recordsOf(t)).toEqual([]);
    expect((await eventsOf(t)).map((e) => e.type)).toEqual(['OrderLinkOpened', 'OrderLinkOpened']);
  });

  it('records 已收到指令 then 已执行 with a note, exactly as the JSON endpoint does', async () => {
    const [t, twin] = order.targets.slice(0, 2);
    const token = tokenOf(t);
    const acked = await press(token, { action: 'acknowledge' }).expect(303);
    expect(acked.headers.location).toBe(`/order/${token}?r=recorded`);
    const after = await request(p.server).get(acked.headers.location).expect(200);
    expect(after.text).toContain('已记录');
    expect(after.text).toContain('已签收，待执行');
    expect(after.text).not.toContain('value="acknowledge"');
    await press(token, {
      action: 'execute',
      note: ' 已封闭十直镇沿河路段 ',
      photoUrl: 'https://example.invalid/p/1.jpg',
    }).expect(303);
    const done = await request(p.server).get(`/order/${token}`).expect(200);
    expect(done.text).toContain('已封闭十直镇沿河路段');
    expect(done.text).toContain('href="https://example.invalid/p/1.jpg"');
    expect(done.text).not.toContain('name="action"');

    const json = (body: object) =>
      request(p.server)
        .post(`/api/v1/order-targets/${tokenOf(twin)}`)
        .send(body)
        .expect(200);
    await json({ action: 'acknowledge' });
    await json({ action: 'execute', note: '已封闭十直镇沿河路段', photoUrl: 'https://example.invalid/p/1.jpg' });

    for (const target of [t, twin]) {
      expect(await rowOf(target)).toEqual({
        state: 'executed',
        acknowledged: true,
        executed: true,
        evidence_note: '已封闭十直镇沿河路段',
        evidence_url: 'https://example.invalid/p/1.jpg',
      });
    }
    expect(await recordsOf(t)).toEqual(await recordsOf(twin));
    expect((await recordsOf(t)).map((r) => r.kind)).toEqual(['order_acknowledged', 'order_executed']);
    expect(await answersOf(t)).toEqual((await answersOf(twin)).map((e) => ({ ...e, actor: `person:${t.person_id}` })));
    expect(await answersOf(t)).toEqual([
      { type: 'OrderAcknowledged', actor: `person:${t.person_id}`, data: { late: false } },
      {
        type: 'OrderExecuted',
        actor: `person:${t.person_id}`,
        data: { late: false, note: '已封闭十直镇沿河路段', photoUrl: 'https://example.invalid/p/1.jpg' },
      },
    ]);
  });

  it('records a double press once and says 已记录', async () => {
    const t = order.targets[2];
    const token = tokenOf(t);
    await press(token, { action: 'acknowledge' }).expect(303);
    const again = await press(token, { action: 'acknowledge' }).expect(303);
    expect(again.headers.location).toBe(`/order/${token}?r=already`);
    const page = await request(p.server).get(again.headers.location).expect(200);
    expect(page.text).toContain('<strong>已记录</strong>（此前已提交，本次未重复记录）');
    await press(token, { action: 'execute', note: '已封闭' }).expect(303);
    await press(token, { action: 'execute', note: '又按了一次' }).expect(303);
    expect(await rowOf(t)).toMatchObject({ state: 'executed', evidence_note: '已封闭' });
    expect((await recordsOf(t)).map((r) => r.kind)).toEqual(['order_acknowledged', 'order_executed']);
    expect((await answersOf(t)).map((e) => e.type)).toEqual(['OrderAcknowledged', 'OrderExecuted']);
  });

  it('refuses an empty or oversize note and a bad photo link with a 400 page in Chinese, writing nothing', async () => {
    const t = order.targets[3];
    const token = tokenOf(t);
    const cases: Array<[Record<string, string>, string]> = [
      [{ action: 'execute', note: '' }, '请填写执行情况'],
      [{ action: 'execute', note: '   ', photoUrl: '' }, '请填写执行情况'],
      [{ action: 'execute', note: '封'.repeat(501) }, '执行情况请写在 500 字以内'],
      [{ action: 'execute', note: '已封闭', photoUrl: 'javascript:alert(1)' }, '照片链接须以 http:// 或 https:// 开头'],
      [{ action: 'lift_acknowledge' }, '请按“已收到指令”或“已执行”按钮提交'],
    ];
    for (const [form, message] of cases) {
      const page = await press(token, form).expect(400);
      expect(page.text).toContain('<html lang="zh-CN">');
      expect(page.text).toContain(message);
    }
    expect(await rowOf(t)).toMatchObject({ state: 'ordered', acknowledged: false, evidence_note: null });
    expect(await recordsOf(t)).toEqual([]);
    expect(await answersOf(t)).toEqual([]);
  });

  it('refuses forged, altered, foreign-purpose and expired tokens with a page and a 4xx, writing nothing', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh rate-limit window: 18 requests follow
    const t = order.targets[3];
    const good = tokenOf(t);
    const config = p.app.get<AppConfig>(APP_CONFIG);
    const signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
    const soon = Math.floor(Date.now() / 1000) + 600;
    const cases: Array<[string, number]> = [
      [`${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`, 404],
      [signer.sign({ sub: t.id, per: t.person_id, pur: 'order', exp: Math.floor(Date.now() / 1000) - 60 }), 410],
      [p.app.get(AckLinks).token(t.id, t.person_id, null), 404],
      [signer.sign({ sub: t.id, per: persons[7].id, pur: 'order', exp: soon }), 404],
      ['x.y', 404],
      ['%00', 404],
    ];
    for (const [token, status] of cases) {
      const page = await request(p.server).get(`/order/${encodeURIComponent(token)}`);
      expect({ token, status: page.status }).toEqual({ token, status });
      expect(page.text).toContain('<html lang="zh-CN">');
      expect(page.text).not.toContain(t.id);
      await press(token, { action: 'execute', note: '已封闭' }).expect(status);
      await request(p.server)
        .post(`/api/v1/order-targets/${encodeURIComponent(token)}`)
        .send({ action: 'acknowledge' })
        .expect(status);
    }
    expect(await rowOf(t)).toMatchObject({ state: 'ordered', acknowledged: false });
    expect(await recordsOf(t)).toEqual([]);
    expect(await eventsOf(t)).toEqual([]);
  });

  it('shows a lifted order as 已解除 from the lift notice and accepts nothing', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh rate-limit window after the 18 requests above
    const {
      id,
      targets: [t],
    } = await issue([persons[4]]);
    const token = tokenOf(t);
    await press(token, { action: 'acknowledge' }).expect(303);
    await request(p.server)
      .post(`/api/v1/orders/${id}/lift`)
      .set('Authorization', `Bearer ${duty}`)
      .send({ note: '雨势减弱' })
      .expect(200);
    const mail = await mailTo(t.address, '【解除熔断·断（道路封闭）】');
    expect(mail.text).toContain('此指令已解除，请有序恢复');
    const page = await request(p.server)
      .get(new URL(linkIn(mail.text)).pathname)
      .expect(200);
    expect(page.text).toContain('已解除');
    expect(page.text).not.toContain('name="action"');
    const refused = await press(token, { action: 'execute', note: '已封闭' }).expect(409);
    expect(refused.text).toContain('该指令已解除');
    expect(await rowOf(t)).toMatchObject({ state: 'acknowledged', executed: false });
    expect((await answersOf(t)).map((e) => e.type)).toEqual(['OrderAcknowledged']);
  });

  it('records answers after the deadlines and marks them late', async () => {
    const {
      targets: [t],
    } = await issue([persons[5]], { ackDeadlineMin: 0.01, executeDeadlineMin: 0.02 });
    await waitFor(
      async () =>
        (
          await p.ds.query<unknown[]>(
            `SELECT 1 FROM events WHERE type = 'OrderEscalated' AND data->>'targetId' = $1 AND data->>'phase' = 'execute'`,
            [t.id],
          )
        ).length > 0,
      { what: 'the execution deadline passed and escalated' },
    );
    const token = tokenOf(t);
    await press(token, { action: 'acknowledge' }).expect(303);
    await press(token, { action: 'execute', note: '已封闭（迟报）' }).expect(303);
    const page = await request(p.server).get(`/order/${token}`).expect(200);
    expect(page.text.match(/记为迟报/g)).toHaveLength(2);
    expect((await recordsOf(t)).map((r) => [r.kind, r.detail.late])).toEqual([
      ['order_silent', undefined],
      ['order_silent', undefined],
      ['order_acknowledged_late', true],
      ['order_executed_late', true],
    ]);
    expect((await answersOf(t)).map((e) => e.type)).toEqual(['OrderAcknowledgedLate', 'OrderExecutedLate']);
  });

  it('is answered in Debian chromium from the link in the captured notice email', async () => {
    const {
      targets: [t],
    } = await issue([persons[6]]);
    const mail = await mailTo(t.address, '【熔断指令·断（道路封闭）】');
    const link = /href="([^"]+)"/.exec(mail.html)?.[1] as string;
    expect(link).toBe(linkIn(mail.text));
    await new Promise<void>((resolve) => p.server.listen(port, '127.0.0.1', resolve));
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
      await page.goto(link);
      expect(await recordsOf(t)).toEqual([]);
      await page.getByRole('button', { name: '已收到指令' }).click();
      await page.getByText('已签收，待执行').first().waitFor();
      await page.getByLabel('执行情况', { exact: false }).fill('已封闭十直镇沿河路段，设置路障 2 处');
      await page.getByRole('button', { name: '已执行' }).click();
      await page.getByText('已封闭十直镇沿河路段，设置路障 2 处', { exact: false }).first().waitFor();
      expect(await page.getByRole('button').count()).toBe(0);
      const shot = join(mkdtempSync(join(tmpdir(), 'jiaoying-order-')), 'order-done.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(1000);
      process.stdout.write(`screenshot: ${shot}\n`);
      await page.reload();
      await page.getByText('已记录').first().waitFor();
    } finally {
      await browser.close();
    }
    expect(await rowOf(t)).toMatchObject({
      state: 'executed',
      evidence_note: '已封闭十直镇沿河路段，设置路障 2 处',
      evidence_url: null,
    });
    expect((await recordsOf(t)).map((r) => r.kind)).toEqual(['order_acknowledged', 'order_executed']);
  });
});

/** A port free right now, for the server the notice links point at. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
