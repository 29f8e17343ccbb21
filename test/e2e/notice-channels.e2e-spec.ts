import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { NoticeSender } from '@app/delivery';
import { NoticeService } from '@app/calls';
import { StrandedWorkSweeper } from '@app/response';
import type { Simulators } from '@app/simulators';
import { capXml } from '../support/cap-builder';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { issueKey, resetQuietly, tokenFor } from './response-support';

const SHIZHI = '500230107';
const SECRET = 'e2e-notice-callback-secret-0123456789';
const BASE = 'http://127.0.0.1:3000';

interface Person {
  person_id: string;
  phone: string;
  email: string;
}

interface NoticeRow {
  id: string;
  person_id: string;
  kind: string;
  channel: string;
  status: string;
  provider: string | null;
  provider_message_id: string | null;
  receipt_code: string | null;
  link_code: string | null;
  error: string | null;
}

/**
 * Notify-only notices by SMS and email through the carrier simulator and the SMTP sink (NOTICE_CHANNELS defaults,
 * lifts overridden to SMS-else-email): who answered, 熔断 orders with their short link, fallbacks, failover, retries.
 */
describe('notices by SMS and email', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let commander: string;
  let people: Person[];

  const noticesOf = (personId: string, kind: string) =>
    ds.query<NoticeRow[]>(
      `SELECT id, person_id, kind, channel, status, provider, provider_message_id, receipt_code, link_code, error
       FROM notices WHERE person_id = $1 AND kind = $2 ORDER BY channel`,
      [personId, kind],
    );
  /** Every row out, and every SMS accepted by the carrier has its receipt. */
  const settled = (personId: string, kind: string, count: number, what: string) =>
    waitFor(
      async () => {
        const rows = await noticesOf(personId, kind);
        const done = (r: NoticeRow) =>
          !['queued', 'sending'].includes(r.status) && !(r.channel === 'sms' && r.status === 'sent');
        return rows.length === count && rows.every(done) ? rows : null;
      },
      { what, timeoutMs: 15_000 },
    );
  const smsTo = (phone: string, text: string) => sims.network.messages(phone).filter((m) => m.text.includes(text));
  const issueOrder = async (title: string, targets: Person[]) => {
    const res = await request(p.server)
      .post('/api/v1/orders')
      .set('Authorization', `Bearer ${commander}`)
      .send({
        measure: 'stop_work',
        title,
        regionCode: SHIZHI,
        instruction: '立即停机，值守人员撤至安全区',
        ackDeadlineMin: 60,
        executeDeadlineMin: 120,
        targets: targets.map((t) => ({ personId: t.person_id, unitName: '十直镇电站' })),
      })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: SECRET,
      env: {
        TIMER_SCALE: '1',
        PUBLIC_BASE_URL: BASE,
        SMS_PROVIDERS: 'alibaba-sim,tencent-sim',
        BREAKER_OPEN_MS: '1500',
        NOTICE_CHANNELS: 'order_lifted:sms/email',
      },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetQuietly(ds);
    await seedDemo(ds);
    commander = await issueKey(ds, 'notice-commander', 'commander', '500230');
    people = await ds.query<Person[]>(
      `SELECT p.id AS person_id, s.address AS phone, e.address AS email FROM persons p
       JOIN LATERAL (SELECT address FROM contact_methods WHERE person_id = p.id AND channel = 'sms' AND invalid_at IS NULL LIMIT 1) s ON true
       JOIN LATERAL (SELECT address FROM contact_methods WHERE person_id = p.id AND channel = 'email' AND invalid_at IS NULL LIMIT 1) e ON true
       WHERE p.admin_unit_code LIKE $1 || '%' AND p.active
         AND NOT EXISTS (SELECT 1 FROM responsibility_assignments a WHERE a.person_id = p.id AND a.target_type IN ('zone','object'))
       ORDER BY p.id LIMIT 6`,
      [SHIZHI],
    );
    // Order targets below: people of the town outside every zone and object, so the who-answered test leaves them alone.
    expect(people).toHaveLength(6);
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
    delete process.env.NOTICE_CHANNELS; // later specs in this process use the defaults
  });

  it('tells the others of a zone who answered: by email, by SMS to whoever has no email', async () => {
    const res = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${await issueKey(ds, 'notice-ingest', 'ingest', '500000')}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier: 'NOTICE-RED-1', geocode: SHIZHI, areaDesc: '十直镇' }))
      .expect(202);
    const warningId = (res.body as { id: string }).id;
    // Three people called for the same zone, each with a valid mobile and email.
    const [trio] = await waitFor(
      () =>
        ds
          .query<Array<{ tasks: Array<{ id: string; person_id: string }> }>>(
            `SELECT json_agg(json_build_object('id', t.id, 'person_id', t.person_id) ORDER BY t.person_id) AS tasks
       FROM call_tasks t, jsonb_array_elements(t.reasons) r
       WHERE t.warning_id = $1 AND r->>'targetType' = 'zone'
         AND (SELECT count(DISTINCT channel) FROM contact_methods c WHERE c.person_id = t.person_id AND c.channel IN ('sms','email') AND c.invalid_at IS NULL) = 2
       GROUP BY r->>'targetId' HAVING count(DISTINCT t.person_id) >= 3 ORDER BY r->>'targetId' LIMIT 1`,
            [warningId],
          )
          .then((rows) => rows.length > 0 && rows),
      { what: 'a zone called with three reachable people' },
    );
    const [answering, withEmail, smsOnly] = trio.tasks;
    await ds.query(
      `UPDATE contact_methods SET invalid_at = now(), invalid_reason = 'e2e: no email' WHERE person_id = $1 AND channel = 'email'`,
      [smsOnly.person_id],
    );
    const [phone] = await ds.query<Array<{ address: string }>>(
      `SELECT address FROM contact_methods WHERE person_id = $1 AND channel = 'sms'`,
      [smsOnly.person_id],
    );

    await request(p.server)
      .post(`/api/v1/ack/${tokenFor(p, answering)}`)
      .send({ response: 'on_post' })
      .expect(200);

    const [bySms] = await settled(smsOnly.person_id, 'answered_by_peer', 1, 'who-answered SMS and its receipt');
    expect(bySms).toMatchObject({
      channel: 'sms',
      status: 'delivered',
      receipt_code: 'DELIVERED',
      provider: 'alibaba-sim',
    });
    const [text] = smsTo(phone.address, '【应答通报】');
    expect(text.text).toMatch(
      /^【叫应预警】【应答通报】.+已到岗：丰都县气象台发布暴雨红色预警信号。.+已确认“已到岗”。本消息仅为通报/,
    );
    expect(text).toMatchObject({ outId: `notice-${bySms.id}`, id: bySms.provider_message_id });

    expect(await settled(withEmail.person_id, 'answered_by_peer', 1, 'who-answered email')).toMatchObject([
      { channel: 'email', status: 'sent', provider: 'smtp' },
    ]);
    const [mine] = await ds.query<Array<{ email: string; phone: string }>>(
      `SELECT (SELECT address FROM contact_methods WHERE person_id = $1 AND channel = 'email') AS email,
              (SELECT address FROM contact_methods WHERE person_id = $1 AND channel = 'sms') AS phone`,
      [withEmail.person_id],
    );
    await waitFor(() => p.mail.list({ to: mine.email }).find((m) => m.subject.startsWith('【应答通报】')), {
      what: 'who-answered email',
    });
    expect(smsTo(mine.phone, '【应答通报】')).toEqual([]);
  }, 60_000);

  it('sends an order by SMS with its short link whole and by email with the full link, which the short link opens', async () => {
    const target = people[0];
    await issueOrder('十直镇电站停工、人员撤离至安全区', [target]);
    const rows = await settled(target.person_id, 'order', 2, 'order notices');
    expect(rows.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'sent'],
      ['sms', 'delivered'],
    ]);
    const sms = rows.find((r) => r.channel === 'sms') as NoticeRow;
    const [text] = smsTo(target.phone, '【熔断指令·停工】');
    expect(
      text.text.startsWith('【叫应预警】【熔断指令·停工】十直镇电站停工、人员撤离至安全区。执行单位：十直镇电站。'),
    ).toBe(true);
    expect(text.text.endsWith(`${BASE}/a/${sms.link_code}`)).toBe(true);
    expect(text.segments).toBeLessThanOrEqual(3);

    const mail = await waitFor(() => p.mail.list({ to: target.email }).find((m) => m.subject.includes('熔断指令')), {
      what: 'order email',
    });
    const fullLink = new RegExp(`${BASE}/\\S+`).exec(mail.text)?.[0] as string;
    expect(fullLink).toBeDefined();
    expect(text.text).not.toContain(fullLink);
    const opened = await request(p.server).get(`/a/${sms.link_code}`).expect(302);
    expect(opened.headers.location).toBe(fullLink);

    // Idempotent: the job again finds nothing to do; a worker that died mid-send is taken over, and the carrier's
    // query API (asked for the key) says it has the message, so it is not sent a second time.
    const sender = p.app.get(NoticeSender);
    expect(await sender.send(sms.id)).toBe('skipped');
    await ds.query(
      `UPDATE notices SET status = 'sending', claimed_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE id = $1`,
      [sms.id],
    );
    expect(await sender.send(sms.id)).toBe('done');
    expect(sims.network.messages(target.phone).filter((m) => m.outId === `notice-${sms.id}`)).toHaveLength(1);
    const [again] = (await noticesOf(target.person_id, 'order')).filter((r) => r.channel === 'sms');
    expect(again).toMatchObject({ status: 'sent', provider: 'alibaba-sim' });
    expect(sims.network.stats().duplicates).toBe(0);
  }, 60_000);

  it('sends by email alone to a person without a valid mobile, and records a person with neither as failed', async () => {
    const [noMobile, nothing] = [people[1], people[2]];
    await ds.query(
      `UPDATE contact_methods SET invalid_at = now(), invalid_reason = 'e2e' WHERE person_id = $1 AND channel IN ('sms','voice')`,
      [noMobile.person_id],
    );
    await ds.query(`UPDATE contact_methods SET invalid_at = now(), invalid_reason = 'e2e' WHERE person_id = $1`, [
      nothing.person_id,
    ]);
    await issueOrder('十直镇中学停学', [noMobile, nothing]);

    expect(await settled(noMobile.person_id, 'order', 1, 'email-only order notice')).toMatchObject([
      { channel: 'email', status: 'sent' },
    ]);
    await waitFor(() => p.mail.list({ to: noMobile.email }).find((m) => m.subject.includes('十直镇中学停学')), {
      what: 'order email',
    });
    expect(smsTo(noMobile.phone, '十直镇中学停学')).toEqual([]);
    expect(await noticesOf(nothing.person_id, 'order')).toMatchObject([
      { channel: 'sms', status: 'failed', error: '无可用联系方式 (no usable contact)' },
    ]);
  });

  it('falls back to email when the mobile refuses a notice whose rule is SMS-else-email (lifts, in this spec)', async () => {
    const [reachable, refusing] = [people[3], people[4]];
    const orderId = await issueOrder('十直镇码头停航', [reachable, refusing]);
    await settled(refusing.person_id, 'order', 2, 'order notices to the later-refusing number');
    sims.network.setNumber(refusing.phone, { sms: 'invalid' });
    await request(p.server)
      .post(`/api/v1/orders/${orderId}/lift`)
      .set('Authorization', `Bearer ${commander}`)
      .send({ note: '水位回落' })
      .expect(200);

    expect(await settled(reachable.person_id, 'order_lifted', 1, 'lift by SMS')).toMatchObject([
      { channel: 'sms', status: 'delivered' },
    ]);
    expect(smsTo(reachable.phone, '【解除熔断·停工】十直镇码头停航')).toHaveLength(1);
    const rows = await settled(refusing.person_id, 'order_lifted', 2, 'lift by SMS, refused, then by email');
    expect(rows).toMatchObject([
      { channel: 'email', status: 'sent' },
      { channel: 'sms', status: 'failed' },
    ]);
    expect(rows[1].error).toContain('isv.MOBILE_NUMBER_ILLEGAL');
    await waitFor(() => p.mail.list({ to: refusing.email }).find((m) => m.subject.startsWith('【解除熔断')), {
      what: 'lift email',
    });
    const [contact] = await ds.query<Array<{ invalid_reason: string | null }>>(
      `SELECT invalid_reason FROM contact_methods WHERE person_id = $1 AND channel = 'sms'`,
      [refusing.person_id],
    );
    expect(contact.invalid_reason).toContain('MOBILE_NUMBER_ILLEGAL');
  });

  it('sends notices whose jobs were lost (a crash between commit and enqueue) when the sweep finds them', async () => {
    const target = people[0];
    const written = await ds.transaction((tx) =>
      p.app.get(NoticeService).write(
        tx,
        [
          {
            personId: target.person_id,
            kind: 'order_escalated',
            dedupeKey: 'e2e-lost-escalation',
            subject: '【熔断指令督办】十直镇电站未在时限内确认收到',
            body: '【熔断指令督办】十直镇电站未在时限内确认收到\n请立即联系该单位或派人到场督促落实。',
          },
        ],
        new Date(),
      ),
    );
    expect(written).toHaveLength(2);
    await ds.query(`UPDATE notices SET updated_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])`, [written]);
    expect((await p.app.get(StrandedWorkSweeper).sweep()).notices).toBe(2);
    expect(
      (await settled(target.person_id, 'order_escalated', 2, 'swept notices')).map((r) => [r.channel, r.status]),
    ).toEqual([
      ['email', 'sent'],
      ['sms', 'delivered'],
    ]);
    expect(smsTo(target.phone, '【熔断指令督办】十直镇电站未在时限内确认收到。请立即联系该单位')).toHaveLength(1);
  });

  it('fails over to the second SMS provider while the first errors', async () => {
    const target = people[5];
    sims.network.setMode('alibaba', 'error');
    try {
      await issueOrder('十直镇景区停业', [target]);
      const rows = await settled(target.person_id, 'order', 2, 'order notices during the Alibaba outage');
      expect(rows.find((r) => r.channel === 'sms')).toMatchObject({ status: 'delivered', provider: 'tencent-sim' });
      const [text] = smsTo(target.phone, '十直镇景区停业');
      expect(text.carrier).toBe('tencent');
      expect(text.text).toMatch(new RegExp(`${BASE}/a/[A-Za-z0-9_-]{10}$`));
    } finally {
      sims.network.setMode('alibaba', 'ok');
    }
  });
});
