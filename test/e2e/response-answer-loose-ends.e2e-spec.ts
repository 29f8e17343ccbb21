import request from 'supertest';
import { DataSource } from 'typeorm';
import { TokenSigner, waitFor } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DemoSummary, seedDemo } from '@app/demo';
import { EvacuationService } from '@app/response';
import type { Simulators } from '@app/simulators';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { capTime, issueKey, postCap, resetQuietly, tokenFor, waitMatched } from './response-support';

const SECRET = 'e2e-loose-ends-secret-0123456789';
const DESK = '023-70000000';

interface Called {
  id: string;
  person_id: string;
  phone: string;
  email: string;
  zone: string | null;
}

/**
 * What a person sees and receives around an answer: progress after the first answer (head count into the evacuation
 * reports), the SMS reply's confirmation or help, an overdue deadline, what an update changed (降级为橙色预警) in SMS,
 * email and page, a lift notice's page (已解除, 已收到 only), and the duty desk's number on expired and error pages.
 */
describe('answering: the loose ends', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let demo: DemoSummary;
  let duty: string;
  let ingest: string;
  let red: { id: string };
  const redSent = capTime(-60_000);
  let people: Called[];

  const page = async (t: { id: string; person_id: string }) =>
    (
      await request(p.server)
        .get(`/ack/${tokenFor(p, t)}`)
        .expect(200)
    ).text;
  /** A press on the page: 303 back to the page (redirect-after-post), which is returned. */
  const form = async (t: { id: string; person_id: string }, fields: Record<string, string>) => {
    const res = await request(p.server)
      .post(`/ack/${tokenFor(p, t)}`)
      .type('form')
      .send(fields)
      .expect(303);
    return request(p.server).get(res.headers.location).expect(200);
  };
  /** The task of a person in a given warning version. */
  const taskIn = (warningId: string, personId: string) =>
    waitFor(
      () =>
        ds
          .query<
            Array<{ id: string; person_id: string; requires_ack: boolean }>
          >(`SELECT id, person_id, requires_ack FROM call_tasks WHERE warning_id = $1 AND person_id = $2`, [warningId, personId])
          .then((rows) => rows[0]),
      { what: `task of ${personId} in ${warningId}`, timeoutMs: 20_000 },
    );

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: SECRET,
      env: { TIMER_SCALE: '0.02', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', DUTY_DESK_PHONE: DESK },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetQuietly(ds);
    demo = await seedDemo(ds);
    ingest = await issueKey(ds, 'loose-ingest', 'ingest', '500000');
    duty = await issueKey(ds, 'loose-duty', 'duty_officer', '500230');
    red = await postCap(p, ingest, {
      identifier: 'LOOSE-RED',
      sent: redSent,
      geocode: demo.shizhi.villageCode,
      areaDesc: demo.shizhi.villageName,
    });
    await waitMatched(ds, red.id);
    people = await ds.query<Called[]>(
      `SELECT t.id, t.person_id, s.address AS phone, e.address AS email,
              (SELECT r->>'targetId' FROM jsonb_array_elements(t.reasons) r WHERE r->>'targetType' = 'zone' LIMIT 1) AS zone
       FROM call_tasks t
       JOIN LATERAL (SELECT address FROM contact_methods WHERE person_id = t.person_id AND channel = 'sms' AND invalid_at IS NULL ORDER BY priority LIMIT 1) s ON true
       JOIN LATERAL (SELECT address FROM contact_methods WHERE person_id = t.person_id AND channel = 'email' AND invalid_at IS NULL ORDER BY priority LIMIT 1) e ON true
       WHERE t.warning_id = $1 AND t.requires_ack ORDER BY (t.reasons::text LIKE '%"zone"%') DESC, t.id`,
      [red.id],
    );
    expect(people.length).toBeGreaterThanOrEqual(4);
    expect(people[0].zone).not.toBeNull();
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('lets a person add progress after the first answer; the head count goes into the evacuation reports', async () => {
    const t = people[0];
    const evac = await p.app
      .get(EvacuationService)
      .start({ warningId: red.id, riskZoneId: t.zone as string }, '500230', 'e2e');
    expect((await form(t, { response: 'received' })).text).toContain('确认成功');

    const after = await page(t);
    expect(after).toContain('确认：已收到');
    expect(after).toContain('上报进展');
    expect(after).toContain('value="on_post"');
    expect(after).toContain('value="evacuating"');

    const arrived = await form(t, { response: 'on_post' });
    expect(arrived.text).toContain('进展已记录');
    expect(arrived.text).toMatch(/<li>[^<]+ 已到岗<\/li>/);
    const moved = await form(t, { response: 'evacuating', headCount: '12' });
    expect(moved.text).toContain('进展已记录');

    const reports = await ds.query<Array<{ persons: number; reported_by: string }>>(
      `SELECT persons, reported_by FROM evacuation_reports WHERE evacuation_id = $1`,
      [evac.id],
    );
    expect(reports).toEqual([{ persons: 12, reported_by: `person:${t.person_id}` }]);
    const progress = await page(t);
    expect(progress).toContain('已组织转移 12 人（已计入转移台账）');
    expect(progress).not.toContain('value="on_post"'); // 已到岗 once
    const [{ n }] = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM acknowledgements WHERE call_task_id = $1`,
      [t.id],
    );
    expect(n).toBe(1); // the first answer stays the answer
  });

  it('answers an SMS reply by SMS: 已确认收到 when it answered a call, how to answer when it matched nothing', async () => {
    const t = people[1];
    await waitFor(() => sims.network.messages(t.phone).length > 0, { what: 'the call SMS' });
    sims.network.reply(t.phone, '1');
    const confirm = await waitFor(() => sims.network.messages(t.phone).find((m) => m.text.includes('已确认收到')), {
      what: 'the confirmation SMS',
    });
    expect(confirm.text).toMatch(
      /^【叫应预警】已确认收到：丰都县气象台发布暴雨红色预警信号。如需上报到岗或转移情况，请打开预警短信中的链接。$/,
    );
    const [ack] = await ds.query<Array<{ method: string }>>(
      `SELECT method FROM acknowledgements WHERE call_task_id = $1`,
      [t.id],
    );
    expect(ack.method).toBe('sms_reply');

    sims.network.reply(t.phone, '明天再说');
    const help = await waitFor(
      () => sims.network.messages(t.phone).find((m) => m.text.includes('未找到您待确认的叫应')),
      { what: 'the help SMS' },
    );
    expect(help.text).toBe(
      `【叫应预警】未找到您待确认的叫应。确认收到预警请回复1，或回复预警短信链接末尾的10位代码；值班电话 ${DESK}。`,
    );
    sims.network.reply(t.phone, '?');
    await waitFor(
      async () => (await ds.query<unknown[]>(`SELECT 1 FROM events WHERE type = 'SmsReplyUnmatched'`)).length >= 2,
      { what: 'the second reply' },
    );
    expect(sims.network.messages(t.phone).filter((m) => m.text.includes('未找到您待确认的叫应'))).toHaveLength(1); // one help per window
  });

  it('marks a deadline that has passed as overdue on the page', async () => {
    const t = people[2];
    const [{ deadline_at }] = await ds.query<Array<{ deadline_at: Date }>>(
      `SELECT deadline_at FROM call_tasks WHERE id = $1`,
      [t.id],
    );
    if (Date.now() < deadline_at.getTime() - 500) {
      expect(await page(t)).toContain('前确认。</strong>');
    }
    // Past the deadline the call escalates (its deadline_at moves on to the next round); the page still says overdue.
    await waitFor(() => Date.now() > deadline_at.getTime() + 1_000 || null, {
      what: 'the red deadline to pass',
      timeoutMs: 30_000,
    });
    const overdue = await page(t);
    expect(overdue).toMatch(/已超时：确认时限为 .+，已超过 \d+ 分钟。/);
    expect(overdue).toContain('value="received"');
  });

  it('says 降级 and the new level in SMS, email and page when a warning is downgraded', async () => {
    const answered = people[0];
    const orange = await postCap(p, ingest, {
      identifier: 'LOOSE-ORANGE',
      msgType: 'Update',
      references: `fengdu-qxt@cma.gov.cn,LOOSE-RED,${redSent}`,
      colour: '橙色',
      severity: 'Severe',
      geocode: demo.shizhi.villageCode,
      areaDesc: demo.shizhi.villageName,
    });
    expect(orange.outcome).toBe('updated');
    const task = await taskIn(orange.id, answered.person_id);
    expect(task.requires_ack).toBe(false); // answered before: notify-only
    const sms = await waitFor(() => sims.network.messages(answered.phone).find((m) => m.text.includes('降级')), {
      what: 'the downgrade SMS',
    });
    expect(sms.text).toContain('【降级为橙色预警】丰都县气象台发布暴雨橙色预警信号');
    const mail = await waitFor(() => p.mail.list({ to: answered.email }).find((m) => m.subject.includes('降级')), {
      what: 'the downgrade email',
    });
    expect(mail.subject).toMatch(/^【降级为橙色预警】丰都县气象台发布暴雨橙色预警信号/);
    expect(mail.subject).not.toContain('红色');
    expect(mail.text).toContain('【降级为橙色预警】');
    const shown = await page(task);
    expect(shown).toContain('>降级为橙色预警</span>');
    expect(shown).not.toContain('>橙色预警</span>');
  });

  it("shows a lift notice's page as 已解除, taking 已收到 only", async () => {
    const t = people[0];
    const [live] = await ds.query<Array<{ id: string }>>(`SELECT id FROM warnings WHERE identifier = 'LOOSE-ORANGE'`);
    const lift = await request(p.server)
      .post(`/api/v1/warnings/${live.id}/lift`)
      .set('Authorization', `Bearer ${duty}`)
      .send({ note: '降雨减弱' })
      .expect(200);
    const liftId = (lift.body as { liftVersionId: string }).liftVersionId;
    const notice = await taskIn(liftId, t.person_id);
    const sms = await waitFor(() => sims.network.messages(t.phone).find((m) => m.text.includes('解除')), {
      what: 'the lift SMS',
    });
    expect(sms.text).toContain('【解除】');

    const shown = await page(notice);
    expect(shown).toContain('>已解除</span>');
    expect(shown).toContain('该预警已解除。');
    expect(shown).not.toMatch(/[红橙]色预警<\/span>/);
    expect(shown).toContain('value="received"');
    for (const other of ['on_post', 'evacuating', 'cannot_comply']) {
      expect(shown).not.toContain(`value="${other}"`);
    }
    const refused = await request(p.server)
      .post(`/api/v1/ack/${tokenFor(p, notice)}`)
      .send({ response: 'cannot_comply' })
      .expect(409);
    expect((refused.body as { message: string }).message).toContain('只需确认“已收到”');
    expect((await form(notice, { response: 'received' })).text).toContain('确认收到解除通知');
  });

  it("shows the duty desk's number on an expired link's page and on error pages", async () => {
    const t = people[3];
    const config = p.app.get<AppConfig>(APP_CONFIG);
    const signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
    const expired = signer.sign({ sub: t.id, per: t.person_id, pur: 'ack', exp: Math.floor(Date.now() / 1000) - 60 });
    const gone = await request(p.server).get(`/ack/${expired}`).expect(410);
    expect(gone.text).toContain(`请致电值班员 ${DESK}`);
    expect(gone.text).toContain('<a href="tel:02370000000">023-70000000</a>');
    const forged = await request(p.server).get('/ack/not-a-token').expect(404);
    expect(forged.text).toContain('<a href="tel:02370000000">023-70000000</a>');
  });
});
