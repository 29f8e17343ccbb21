import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import { Pipeline, startPipeline } from '../support/pipeline';
import { capTime, issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

const FENGDU = '500230';

/** Provider-accepted (or delivered) counts as sent. */
const SENT = ['accepted', 'delivered'];

const count = async (p: Pipeline, warningId: string, status: string) =>
  (
    await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
     WHERE t.warning_id = $1 AND a.status = ANY($2::varchar[])`,
      [warningId, status === 'sent' ? SENT : [status]],
    )
  )[0].n;

/** Cancel and expiry stop every pending message and timer of a warning at once, then send the 解除 notice. */
describe('warning lifecycle: cancel under load and expiry', () => {
  let p: Pipeline;
  let ingest: string;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.05', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    await seedDemo(p.ds);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
  });

  afterAll(async () => {
    await p.stop();
  });

  it('lets no message of a cancelled warning leave after the cancel commits, even mid fan-out', async () => {
    const original = { identifier: 'LOAD-RED', sent: capTime(-60_000), geocode: FENGDU, areaDesc: '丰都县全境' };
    const { id: warningId } = await postCap(p, ingest, original);
    await waitMatched(p.ds, warningId);
    const emailAttempts = (
      await p.ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1 AND a.channel = 'email'`,
        [warningId],
      )
    )[0].n;
    expect(emailAttempts).toBeGreaterThan(300);
    // Mid fan-out: some emails out, hundreds still queued.
    // Emails only (no carrier runs here): on a loaded machine the first twenty took over 10 s once.
    await waitFor(async () => (await count(p, warningId, 'sent')) >= 20, {
      what: 'fan-out under way',
      intervalMs: 5,
      timeoutMs: 60_000,
    });
    const cancelled = await postCap(p, ingest, {
      identifier: 'LOAD-RED-CANCEL',
      msgType: 'Cancel',
      sent: capTime(0),
      geocode: FENGDU,
      references: `fengdu-qxt@cma.gov.cn,LOAD-RED,${original.sent}`,
      headline: '丰都县气象台解除暴雨红色预警信号',
    });
    const committedBy = Date.now();
    expect(cancelled.outcome).toBe('cancelled');
    const mailsAtCancel = p.mail.list().filter((m) => !m.subject.includes('解除')).length;
    const sentAtCancel = await count(p, warningId, 'sent');
    const queuedCancelled = await count(p, warningId, 'cancelled');
    expect(await count(p, warningId, 'sending')).toBe(0);
    expect(await count(p, warningId, 'queued')).toBe(0);
    expect(queuedCancelled).toBeGreaterThan(100);
    process.stdout.write(
      `cancel mid fan-out: ${sentAtCancel} sent before, ${queuedCancelled} cancelled of ${emailAttempts} email attempts\n`,
    );

    // The 解除 notices go out to everyone called; meanwhile the leftover send jobs run and find nothing to send.
    // A hundred notices or more: work, not a speed asserted; the budget holds on a machine kept busy by other work.
    await waitFor(() => p.mail.list().filter((m) => m.subject.includes('解除')).length >= 100, {
      what: 'lift notices',
      timeoutMs: 150_000,
    });
    const [late] = await p.ds.query<Array<{ n: number; last: Date | null }>>(
      `SELECT count(*)::int AS n, max(a.sent_at) AS last FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
       WHERE t.warning_id = $1 AND a.status = ANY($2::varchar[])`,
      [warningId, SENT],
    );
    expect(late.n).toBe(sentAtCancel);
    expect(late.last?.getTime()).toBeLessThanOrEqual(committedBy);
    expect(p.mail.list().filter((m) => !m.subject.includes('解除')).length).toBe(mailsAtCancel);
    // Nor a 督办 about it: those gathered before the cancel and not yet sent are cancelled with it.
    const [lateNotices] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM notices WHERE warning_id = $1 AND (status IN ('queued','sending') OR sent_at > $2)`,
      [warningId, new Date(committedBy)],
    );
    expect(lateNotices.n).toBe(0);
    const open = (await tasksOf(p.ds, warningId)).filter((t) => ['pending', 'sent', 'unreachable'].includes(t.state));
    expect(open).toHaveLength(0);
    const [w] = await p.ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [warningId]);
    expect(w.state).toBe('lifted');
    const notices = await tasksOf(p.ds, cancelled.id);
    expect(notices.length).toBeGreaterThan(300);
    expect(notices.every((t) => !t.requires_ack)).toBe(true);
  }, 240_000);

  it('lifts a warning at expires_at by a delayed job checked against PostgreSQL', async () => {
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'EXPIRING',
      geocode: '500230107',
      colour: '橙色',
      severity: 'Severe',
      expires: capTime(4_000),
    });
    await waitMatched(p.ds, warningId);
    const [live] = await p.ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [warningId]);
    expect(live.state).toBe('tracking');
    await waitFor(
      async () =>
        (await p.ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [warningId]))[0]
          .state === 'expired',
      { what: 'expiry', timeoutMs: 20_000 },
    );
    const [lift] = await p.ds.query<Array<{ id: string; headline: string; msg_type: string }>>(
      `SELECT l.id, l.headline, l.msg_type FROM warnings l JOIN warnings w ON w.chain_id = l.chain_id WHERE w.id = $1 AND l.version = w.version + 1`,
      [warningId],
    );
    expect(lift).toMatchObject({ msg_type: 'cancel' });
    expect(lift.headline).toContain('到期解除');
    const open = (await tasksOf(p.ds, warningId)).filter((t) => ['pending', 'sent', 'unreachable'].includes(t.state));
    expect(open).toHaveLength(0);
    // The notice to everyone called is queued behind the previous test's notices; its rows say who gets it.
    const notices = await tasksOf(p.ds, lift.id);
    expect(notices.length).toBe((await tasksOf(p.ds, warningId)).length);
    expect(notices.every((t) => !t.requires_ack)).toBe(true);
    const [attempts] = await p.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = $1`,
      [lift.id],
    );
    expect(attempts.n).toBeGreaterThanOrEqual(notices.length);
  });
});
