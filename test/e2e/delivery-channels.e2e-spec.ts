import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { CALLBACK_HEADERS, ProviderHealth, signCallback } from '@app/delivery';
import { JobName, JobProducer, QueueName } from '@app/queue';
import type { Simulators } from '@app/simulators';
import { issueApiKey, resetDatabase } from '@app/testing';
import { capXml } from '../support/cap-builder';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';

const SHIZHI = '500230107';
const SECRET = 'e2e-callback-secret-0123456789';
const PREFIX = `jy-deliv-${Date.now()}`;

interface Person {
  person_id: string;
  phone: string;
  email: string;
}

interface AttemptRow {
  id: string;
  call_task_id: string;
  channel: string;
  status: string;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  receipt_code: string | null;
  tries: number;
  created_at: Date;
}

async function attemptsOf(
  ds: DataSource,
  warningId: string,
  personId: string,
  channel?: string,
): Promise<AttemptRow[]> {
  return ds.query<AttemptRow[]>(
    `SELECT a.id, a.call_task_id, a.channel, a.status, a.provider, a.provider_message_id, a.error, a.receipt_code, a.tries, a.created_at
     FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
     WHERE t.warning_id = $1 AND t.person_id = $2 AND ($3::varchar IS NULL OR a.channel = $3) ORDER BY a.created_at`,
    [warningId, personId, channel ?? null],
  );
}

/** Fan-out over SMS, voice, email, webhooks and loudspeakers through the simulators, and what comes back. */
describe('delivery over every channel through the simulators', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let ingestKey: string;
  let people: Person[];
  let warningId: string;
  const simUrl = () => `http://127.0.0.1:${sims.httpPort}`;
  let speaker: string;

  const ingest = async (identifier: string) => {
    const res = await request(p.server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${ingestKey}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier, geocode: SHIZHI, areaDesc: '十直镇' }))
      .expect(202);
    return (res.body as { id: string }).id;
  };

  beforeAll(async () => {
    // Red: voice rungs at 18 s and 36 s, answer deadline 60 s — long enough to tell "now" from "on schedule".
    env = await startSimulatedPipeline({
      secret: SECRET,
      mqttPrefix: PREFIX,
      env: {
        TIMER_SCALE: '0.1',
        SMS_PROVIDERS: 'alibaba-sim,tencent-sim',
        VOICE_PROVIDERS: 'alibaba-sim,tencent-voice-sim',
        BREAKER_OPEN_MS: '1500',
      },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetDatabase(ds);
    await seedDemo(ds);
    ingestKey = await issueApiKey(ds, 'deliv-ingest', 'ingest', '500000');
    // The trio of 十直镇's flash-flood zones is called for a red rainstorm; six of them play roles below.
    people = await ds.query<Person[]>(
      `SELECT DISTINCT ON (p.id) p.id AS person_id, s.address AS phone, e.address AS email
       FROM responsibility_assignments a JOIN risk_zones z ON z.id::text = a.target_id AND a.target_type = 'zone'
       JOIN persons p ON p.id = a.person_id
       JOIN contact_methods s ON s.person_id = p.id AND s.channel = 'sms' AND s.invalid_at IS NULL
       JOIN contact_methods e ON e.person_id = p.id AND e.channel = 'email' AND e.invalid_at IS NULL
       WHERE z.admin_unit_code LIKE $1 || '%' AND z.kind = 'flash_flood_danger_zone'
       ORDER BY p.id LIMIT 6`,
      [SHIZHI],
    );
    expect(people).toHaveLength(6);
    // The town's loudspeaker (应急广播) from the demo.
    [{ code: speaker }] = await ds.query<Array<{ code: string }>>(
      `SELECT code FROM broadcast_devices WHERE admin_unit_code LIKE $1 || '%'`,
      [SHIZHI],
    );
    sims.network.setNumber(people[0].phone, { sms: 'blacklisted', voice: 'press' });
    sims.network.setNumber(people[1].phone, { sms: 'dead' });
    warningId = await ingest('FD-DELIV-RED-1');
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('sends SMS with a whole short link and email at once, with receipts and the provider recorded', async () => {
    const c = people[2];
    const sms = await waitFor(() => sims.network.messages(c.phone)[0], { what: 'SMS to the zone admin' });
    expect(sms.text.startsWith('【叫应预警】')).toBe(true);
    expect(sms.text).toContain('回复1');
    const code = /\/a\/([A-Za-z0-9_-]{10})确认收到/.exec(sms.text)?.[1];
    expect(code).toBeDefined();
    const redirect = await request(p.server).get(`/a/${code}`).expect(302);
    expect(redirect.headers.location).toMatch(/\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await request(p.server).get('/a/AAAAAAAAAA').expect(404);

    const delivered = await waitFor(
      async () => {
        const [a] = await attemptsOf(ds, warningId, c.person_id, 'sms');
        return a?.status === 'delivered' ? a : null;
      },
      { what: 'SMS receipt' },
    );
    expect(delivered).toMatchObject({ provider: 'alibaba-sim', receipt_code: 'DELIVERED', tries: 1 });
    expect(delivered.provider_message_id).toBe(sms.id);

    await waitFor(() => p.mail.list({ to: c.email })[0], { what: 'email' });
    const email = await waitFor(
      async () => {
        const [e] = await attemptsOf(ds, warningId, c.person_id, 'email');
        return e?.status === 'accepted' ? e : null;
      },
      { what: 'email accepted' },
    );
    expect(email.provider).toBe('smtp');
    const [task] = await ds.query<Array<{ state: string }>>(`SELECT state FROM call_tasks WHERE id = $1`, [
      delivered.call_task_id,
    ]);
    expect(task.state).toBe('sent');
  });

  it('warns residents by area SMS and loudspeaker right after matching, without waiting for answers', async () => {
    // The demo seed's residents' phone lists and loudspeakers: a red warning plans 高风险区全员发布 and 应急广播.
    const issued = await waitFor(
      async () =>
        (
          await ds.query<Array<{ data: { smsBatches: number; loudspeakers: number } }>>(
            `SELECT data FROM events WHERE warning_id = $1 AND type = 'PublicWarningIssued'`,
            [warningId],
          )
        )[0]?.data,
      { what: 'public warning planned' },
    );
    expect(issued.smsBatches).toBeGreaterThan(0);
    expect(issued.loudspeakers).toBeGreaterThan(0);
    // The demo's residents of the matched high-risk zones of 十直镇.
    const residents = await waitFor(
      async () => {
        const rows = await ds.query<Array<{ phone: string }>>(
          `SELECT DISTINCT r.phone FROM resident_phones r JOIN public_notices n ON r.risk_zone_id = ANY (n.zone_ids)
       WHERE n.warning_id = $1 AND n.channel = 'sms' ORDER BY r.phone`,
          [warningId],
        );
        return rows.length > 0 && rows.map((r) => r.phone);
      },
      { what: 'area SMS planned' },
    );
    for (const phone of residents) {
      const [msg] = await waitFor(() => sims.network.messages(phone).length > 0 && sims.network.messages(phone), {
        what: `area SMS to ${phone}`,
      });
      expect(msg.text).toContain('【叫应预警】丰都县气象台发布暴雨红色预警信号');
      expect(msg.text).not.toContain('回复');
    }
    const batch = await waitFor(
      async () => {
        const [b] = await ds.query<Array<{ status: string; delivered: number; provider: string }>>(
          `SELECT b.status, b.delivered, b.provider FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id WHERE n.warning_id = $1`,
          [warningId],
        );
        return b?.delivered === residents.length ? b : null;
      },
      { what: 'area SMS receipts' },
    );
    expect(batch).toMatchObject({ status: 'accepted', provider: 'alibaba-sim' });

    const played = await waitFor(
      async () => {
        const [j] = await ds.query<Array<{ status: string; played_at: Date | null }>>(
          `SELECT j.status, j.played_at FROM broadcast_jobs j JOIN public_notices n ON n.id = j.notice_id WHERE n.warning_id = $1`,
          [warningId],
        );
        return j?.status === 'played' ? j : null;
      },
      { what: 'loudspeaker played report over MQTT' },
    );
    expect(played.played_at).toBeInstanceOf(Date);
    expect(sims.speakers?.list(speaker)[0].text).toContain('紧急通知');
  });

  it('takes a blacklisted number straight to the voice rung, and a keypress answers the call', async () => {
    const a = people[0];
    const failed = await waitFor(
      async () => {
        const [s] = await attemptsOf(ds, warningId, a.person_id, 'sms');
        return s?.status === 'failed' ? s : null;
      },
      { what: 'SMS refused' },
    );
    expect(failed.error).toContain('isv.BLACK_KEY_CONTROL_LIMIT');
    const contacts = await ds.query<Array<{ channel: string; invalid: boolean }>>(
      `SELECT channel, invalid_at IS NOT NULL AS invalid FROM contact_methods WHERE person_id = $1 AND channel IN ('sms','voice') ORDER BY channel`,
      [a.person_id],
    );
    expect(contacts).toEqual([
      { channel: 'sms', invalid: true },
      { channel: 'voice', invalid: false },
    ]);
    const voice = await waitFor(async () => (await attemptsOf(ds, warningId, a.person_id, 'voice'))[0], {
      what: 'voice attempt',
    });
    // The rung was due at 18 s; it ran right after the refusal.
    expect(voice.created_at.getTime() - failed.created_at.getTime()).toBeLessThan(10_000);
    const call = await waitFor(() => sims.network.callsTo(a.phone)[0], { what: 'voice call' });
    expect(call.text).toContain('收到请按1');
    expect(call.text).not.toMatch(/http/);
    const ack = await waitFor(
      async () => {
        const [row] = await ds.query<Array<{ method: string; response: string }>>(
          `SELECT k.method, k.response FROM acknowledgements k JOIN call_tasks t ON t.id = k.call_task_id WHERE t.warning_id = $1 AND t.person_id = $2`,
          [warningId, a.person_id],
        );
        return row;
      },
      { what: 'keypress acknowledgement' },
    );
    expect(ack).toEqual({ method: 'keypress', response: 'received' });
  });

  it('invalidates a dead number for SMS and voice on its receipt', async () => {
    const b = people[1];
    const failed = await waitFor(
      async () => {
        const [s] = await attemptsOf(ds, warningId, b.person_id, 'sms');
        return s?.status === 'failed' ? s : null;
      },
      { what: 'dead-number receipt' },
    );
    expect(failed.receipt_code).toBe('MN:0001');
    const contacts = await waitFor(
      async () => {
        const list = await ds.query<Array<{ invalid: boolean; invalid_reason: string }>>(
          `SELECT invalid_at IS NOT NULL AS invalid, invalid_reason FROM contact_methods WHERE person_id = $1 AND channel IN ('sms','voice')`,
          [b.person_id],
        );
        return list.every((c) => c.invalid) && list;
      },
      { what: 'number invalidated' },
    );
    expect(contacts).toHaveLength(2);
    expect(contacts.every((c) => c.invalid && c.invalid_reason.includes('空号'))).toBe(true);
  });

  it('never sends twice: a duplicate job finds the work done, a crash after acceptance is found at the carrier', async () => {
    const d = people[3];
    const sms = await waitFor(
      async () => {
        const [s] = await attemptsOf(ds, warningId, d.person_id, 'sms');
        return s?.provider_message_id ? s : null;
      },
      { what: 'accepted SMS' },
    );
    const queue = p.app.get<Queue>(getQueueToken(QueueName.DispatchSms));
    const dup = await queue.add(JobName.SendAttempt, { attemptId: sms.id }, { jobId: `dup-${sms.id}` });
    await waitFor(async () => (await dup.getState()) === 'completed', { what: 'duplicate job' });
    expect((await queue.getJob(dup.id as string))?.returnvalue).toBe('skipped');

    // A worker that died after the provider accepted, before the status write: the row is left 'sending'.
    await ds.query(
      `UPDATE attempts SET status = 'sending', provider_message_id = NULL, claimed_at = now() - interval '1 hour' WHERE id = $1`,
      [sms.id],
    );
    const retry = await queue.add(JobName.SendAttempt, { attemptId: sms.id }, { jobId: `crash-${sms.id}` });
    await waitFor(async () => (await retry.getState()) === 'completed', { what: 'retried job' });
    // The retry asks the carrier's query API for our OutId before sending: the carrier has it, so nothing is sent.
    const [after] = await ds.query<AttemptRow[]>(`SELECT status, provider, tries FROM attempts WHERE id = $1`, [
      sms.id,
    ]);
    expect(after).toMatchObject({ status: 'accepted', provider: sms.provider, tries: 2 });
    expect(sims.network.messages(d.phone)).toHaveLength(1);
    expect(sims.network.stats().duplicates).toBe(0);
  });

  it('sends a page once per message: one already done is skipped, one another sender holds goes back as its own job', async () => {
    const others = people.slice(0, 6).map((x) => x.person_id); // the other tests' people, taken last
    const [done, held] = await waitFor(
      async () => {
        const rows = await ds.query<Array<{ id: string; phone: string; status: string }>>(
          `SELECT a.id, a.status, c.address AS phone FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
           JOIN contact_methods c ON c.id = a.contact_method_id
           WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status IN ('accepted', 'delivered')
           ORDER BY t.person_id = ANY($2::uuid[]), a.id LIMIT 2`,
          [warningId, others],
        );
        return rows.length === 2 && rows;
      },
      { what: 'two accepted SMS' },
    );
    // Another sender's claim, fresh: not to be taken until stale.
    await ds.query(`UPDATE attempts SET status = 'sending', claimed_at = now() WHERE id = $1`, [held.id]);
    const sent = [done.phone, held.phone].map((phone) => sims.network.messages(phone).length);
    const pages = p.app.get<Queue>(getQueueToken(QueueName.DispatchSmsPages));
    const page = await pages.add(
      JobName.SendAttemptPage,
      { attemptIds: [done.id, held.id] },
      { jobId: `page-${done.id}` },
    );
    await waitFor(async () => (await page.getState()) === 'completed', { what: 'page job' });
    const single = await p.app.get<Queue>(getQueueToken(QueueName.DispatchSms)).getJob(`send-${held.id}`);
    expect(single).toBeDefined();
    expect(await single!.getState()).toBe('delayed');
    // The other sender finishes: the job handed back finds nothing left to do.
    await ds.query(`UPDATE attempts SET status = $2 WHERE id = $1`, [held.id, held.status]);
    await waitFor(async () => (await single!.getState()) === 'completed', {
      what: 'the single job',
      timeoutMs: 20_000,
    });
    expect((await p.app.get<Queue>(getQueueToken(QueueName.DispatchSms)).getJob(`send-${held.id}`))?.returnvalue).toBe(
      'skipped',
    );
    expect([done.phone, held.phone].map((phone) => sims.network.messages(phone).length)).toEqual(sent);
  });

  it('has a carrier simulator that delivers a repeated OutId again, as the real carriers do, and counts it', () => {
    const before = sims.network.stats().duplicates;
    const phone = '13900000077';
    for (let i = 0; i < 2; i++) {
      const answer = sims.network.submitSms('alibaba', [phone], '叫应预警', '测试', 'same-out-id-twice');
      expect(answer.ok).toBe(true);
    }
    expect(sims.network.messages(phone).map((m) => m.duplicate)).toEqual([false, true]);
    expect(sims.network.stats().duplicates).toBe(before + 1);
  });

  it('delivers signed webhooks with retries, and DingTalk and WeCom robot messages, refusing a bad secret for good', async () => {
    const d = people[3];
    sims.hooks.configure('org', { kind: 'signed', secret: 'org-secret-1', failTimes: 2 });
    sims.hooks.configure('ding', { kind: 'dingtalk', secret: 'SEC-ding-secret' });
    sims.hooks.configure('wecom', { kind: 'wecom', secret: 'wecom-key-1' });
    await ds.query(
      `INSERT INTO webhook_endpoints (name, kind, url, secret) VALUES
        ('org', 'signed', $1 || '/hooks/org', 'org-secret-1'),
        ('ding', 'dingtalk', $1 || '/robots/dingtalk/ding?access_token=t1', 'SEC-ding-secret'),
        ('wecom', 'wecom', $1 || '/robots/wecom/wecom?key=wecom-key-1', NULL),
        ('org-wrong', 'signed', $1 || '/hooks/org', 'not-the-secret')`,
      [simUrl()],
    );
    const [task] = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM call_tasks WHERE warning_id = $1 AND person_id = $2`,
      [warningId, d.person_id],
    );
    const names = ['org', 'ding', 'wecom', 'org-wrong'];
    const rows = await ds.query<Array<{ id: string }>>(
      `WITH c AS (INSERT INTO contact_methods (person_id, channel, address, priority) SELECT $1, 'webhook', unnest($3::varchar[]), 5 RETURNING id, address)
       INSERT INTO attempts (call_task_id, channel, contact_method_id, rung, idempotency_key)
       SELECT $2::uuid, 'webhook', c.id, 0, $2::text || '-r0-webhook-' || c.address FROM c RETURNING id`,
      [d.person_id, task.id, names],
    );
    await p.app.get(JobProducer).send(rows.map((r) => ({ attemptId: r.id, channel: 'webhook', level: 1 })));

    const org = await waitFor(() => sims.hooks.list('org')[0], {
      timeoutMs: 30_000,
      what: 'signed webhook after two 503s',
    });
    expect(org.body).toMatchObject({ type: 'call', callTaskId: task.id, warning: { id: warningId } });
    expect((org.body as { ackUrl: string }).ackUrl).toMatch(/\/ack\//);
    expect(sims.hooks.list('org').filter((h) => h.duplicate)).toHaveLength(0);
    const ding = await waitFor(() => sims.hooks.list('ding')[0], { what: 'DingTalk robot' });
    expect(ding.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '丰都县气象台发布暴雨红色预警信号' } });
    const wecom = await waitFor(() => sims.hooks.list('wecom')[0], { what: 'WeCom robot' });
    expect((wecom.body as { markdown: { content: string } }).markdown.content).toContain(
      '### 丰都县气象台发布暴雨红色预警信号',
    );

    const settled = await waitFor(
      async () => {
        const list = await ds.query<Array<{ address: string; status: string; tries: number; error: string | null }>>(
          `SELECT c.address, a.status, a.tries, a.error FROM attempts a JOIN contact_methods c ON c.id = a.contact_method_id
         WHERE a.id = ANY($1::uuid[]) ORDER BY c.address`,
          [rows.map((r) => r.id)],
        );
        return list.every((a) => a.status === 'delivered' || a.status === 'failed') ? list : null;
      },
      { timeoutMs: 30_000, what: 'webhook attempts settled' },
    );
    expect(settled.map((a) => [a.address, a.status])).toEqual([
      ['ding', 'delivered'],
      ['org', 'delivered'],
      ['org-wrong', 'failed'],
      ['wecom', 'delivered'],
    ]);
    expect(settled.find((a) => a.address === 'org')?.tries).toBe(3);
    expect(settled.find((a) => a.address === 'org-wrong')?.error).toContain('HTTP401');
  }, 60_000);

  it('acknowledges a call when the person replies 1 by SMS', async () => {
    const c = people[2];
    const reply = await fetch(`${simUrl()}/sms/reply`, {
      method: 'POST',
      body: JSON.stringify({ from: c.phone, text: '1' }),
    });
    expect(reply.status).toBe(202);
    const ack = await waitFor(
      async () => {
        const [row] = await ds.query<Array<{ method: string; actor: string }>>(
          `SELECT k.method FROM acknowledgements k JOIN call_tasks t ON t.id = k.call_task_id WHERE t.warning_id = $1 AND t.person_id = $2`,
          [warningId, c.person_id],
        );
        return row;
      },
      { what: 'SMS reply acknowledgement' },
    );
    expect(ack.method).toBe('sms_reply');
  });

  it('fails over to Tencent while Alibaba errors, and comes back to Alibaba after probation', async () => {
    const c = people[2];
    sims.network.setMode('alibaba', 'error');
    const second = await ingest('FD-DELIV-RED-2');
    const viaTencent = await waitFor(
      async () => {
        const [s] = await attemptsOf(ds, second, c.person_id, 'sms');
        return s?.status === 'delivered' ? s : null;
      },
      { what: 'SMS through the second provider' },
    );
    expect(viaTencent.provider).toBe('tencent-sim');
    expect(sims.network.messages(c.phone).at(-1)?.carrier).toBe('tencent');
    const health = p.app.get(ProviderHealth);
    // Tripped, and not closed while Alibaba still errors: open, or half open if its 1.5 s passed on a busy machine
    // (a probe would fail and open it again).
    expect(['open', 'half_open']).toContain(health.snapshot().find((b) => b.provider === 'alibaba-sim')?.state);

    sims.network.setMode('alibaba', 'ok');
    await new Promise((r) => setTimeout(r, 1600));
    const third = await ingest('FD-DELIV-RED-3');
    await waitFor(
      async () => {
        const list = await ds.query<Array<{ provider: string }>>(
          `SELECT a.provider FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status IN ('accepted','delivered')`,
          [third],
        );
        return list.some((a) => a.provider === 'alibaba-sim');
      },
      { what: 'Alibaba back in use after probation' },
    );
  }, 60_000);

  it('refuses unsigned, forged and stale callbacks with 401, and takes a real provider URL token', async () => {
    const body = JSON.stringify([{ biz_id: 'nope^0', success: true, report_time: '2025-11-22 10:00:00' }]);
    const post = (headers: Record<string, string>, path = '/providers/alibaba/sms-report') =>
      request(p.server).post(path).set('content-type', 'application/json').set(headers).send(body);
    const ts = Math.floor(Date.now() / 1000);
    await post({}).expect(401);
    await post({
      [CALLBACK_HEADERS.timestamp]: String(ts),
      [CALLBACK_HEADERS.signature]: signCallback('wrong-secret', ts, body),
    }).expect(401);
    await post({
      [CALLBACK_HEADERS.timestamp]: String(ts - 3600),
      [CALLBACK_HEADERS.signature]: signCallback(SECRET, ts - 3600, body),
    }).expect(401);
    await post({}, '/providers/alibaba/sms-report?token=guess').expect(401);
    const ok = await post({
      [CALLBACK_HEADERS.timestamp]: String(ts),
      [CALLBACK_HEADERS.signature]: signCallback(SECRET, ts, body),
    }).expect(200);
    expect(ok.body).toEqual({ code: 0, msg: '成功' });
    await post({}, `/providers/alibaba/sms-report?token=${SECRET}`).expect(200);
    await request(p.server)
      .post(`/providers/tencent/sms-status?token=${SECRET}`)
      .send([{ nothing: 1 }])
      .expect(400);
  });

  describe('voice over Tencent VMS', () => {
    let tencentWarning: string;
    const ackOf = (warning: string, person: Person) =>
      ds.query<Array<{ method: string; response: string }>>(
        `SELECT k.method, k.response FROM acknowledgements k JOIN call_tasks t ON t.id = k.call_task_id WHERE t.warning_id = $1 AND t.person_id = $2`,
        [warning, person.person_id],
      );
    const settledVoice = (person: Person) =>
      waitFor(
        async () => {
          const [v] = await attemptsOf(ds, tencentWarning, person.person_id, 'voice');
          return v && ['delivered', 'failed'].includes(v.status) ? v : null;
        },
        { timeoutMs: 30_000, what: 'Tencent call result' },
      );

    it('fails voice over to Tencent while Alibaba errors; a keypress answers the call, no pick-up leaves it open', async () => {
      const [pressing, silent] = [people[4], people[5]];
      sims.network.setNumber(pressing.phone, { sms: 'blacklisted', voice: 'press' });
      sims.network.setNumber(silent.phone, { sms: 'blacklisted', voice: 'no_answer' });
      sims.network.setMode('alibaba', 'error');
      try {
        tencentWarning = await ingest('FD-DELIV-RED-4');
        const pressed = await settledVoice(pressing);
        expect(pressed).toMatchObject({
          provider: 'tencent-voice-sim',
          status: 'delivered',
          receipt_code: 'prompt:0',
          tries: 1,
        });
        // Earlier warnings' voice rungs may call the same number meanwhile: find this attempt's call by its CallId.
        const call = sims.network.callsTo(pressing.phone).find((c) => c.id === pressed.provider_message_id);
        expect(call).toMatchObject({ carrier: 'tencent', result: 'press' });
        expect(call?.text).toContain('收到请按1');
        const ack = await waitFor(async () => (await ackOf(tencentWarning, pressing))[0], {
          timeoutMs: 30_000,
          what: 'Tencent keypress acknowledgement',
        });
        expect(ack).toEqual({ method: 'keypress', response: 'received' });

        const missed = await settledVoice(silent);
        expect(missed).toMatchObject({ provider: 'tencent-voice-sim', status: 'failed', receipt_code: 'prompt:1' });
        expect(sims.network.callsTo(silent.phone).find((c) => c.id === missed.provider_message_id)).toMatchObject({
          carrier: 'tencent',
          result: 'no_answer',
        });
        expect(await ackOf(tencentWarning, silent)).toEqual([]);
      } finally {
        sims.network.setMode('alibaba', 'ok');
      }
    }, 60_000);

    it('takes Tencent voice callbacks only when authentic, and asks again for a keypress on a call not yet recorded', async () => {
      const silent = people[5];
      const post = (body: object, token = SECRET) =>
        request(p.server).post(`/providers/tencent/voice?token=${token}`).send(body);
      const keypress = (mobile: string) => ({
        voicekey_callback: { call_from: '', callid: 'not-yet-known', keypress: '1', mobile, nationcode: '86' },
      });
      await post(keypress(silent.phone), 'guess').expect(401);
      await request(p.server).post('/providers/tencent/voice').send(keypress(silent.phone)).expect(401);

      // The call was placed but its status write has not landed: Tencent is asked to send the keypress again.
      const [missed] = await attemptsOf(ds, tencentWarning, silent.person_id, 'voice');
      await ds.query(`UPDATE attempts SET status = 'sending' WHERE id = $1`, [missed.id]);
      try {
        await post(keypress(silent.phone)).expect(503);
      } finally {
        await ds.query(`UPDATE attempts SET status = 'failed' WHERE id = $1`, [missed.id]);
      }
      expect(await ackOf(tencentWarning, silent)).toEqual([]);
      // A call id nobody knows, to a number with no call in flight: taken, and nothing changes.
      expect((await post(keypress('13999999999')).expect(200)).body).toEqual({ result: 0, errmsg: 'OK' });

      await post({
        voice_failure_callback: {
          call_from: '',
          callid: 'not-ours',
          failure_code: 8,
          failure_reason: '空号',
          mobile: silent.phone,
          nationcode: '86',
        },
      }).expect(200);
      await post({ voiceprompt_callback: { callid: 'x' } }).expect(400);
      await post({ something_else: {} }).expect(400);
    });
  });
});
