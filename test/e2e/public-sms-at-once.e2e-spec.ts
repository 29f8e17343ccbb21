import { waitFor } from '@app/common';
import { seedDemo } from '@app/demo';
import type { Simulators } from '@app/simulators';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { capTime, issueKey, postCap, resetQuietly, waitMatched } from './response-support';

const SHIZHI = '500230107';
const AT_ONCE = 2;
/** Residents' numbers added to the town's high-risk zones: 3,000 more, 15 or more batches of 200. */
const RESIDENTS = 3_000;
/** The carrier answers each request this late: long enough for every batch in flight to be seen 'sending'. */
const ANSWER_MS = 300;

/**
 * Residents' area SMS go to the carrier a few batches at a time per dispatcher (PUBLIC_SMS_AT_ONCE), on their own
 * queue: a batch is one request to 200 numbers, and a province's batches sent all at once overran the carrier's
 * answers, opened the SMS circuits and held up the responsible persons' own calls.
 */
describe("residents' area SMS, a few batches at a time", () => {
  let env: SimulatedPipeline;
  let sims: Simulators;

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: 'e2e-public-sms-at-once-secret-0123456789',
      // Deadlines and later rungs far away (TIMER_SCALE 1): at the tests' default scale the silent calls escalate
      // and ring on within seconds, and with the carrier answering late that work outlasted the spec's teardown.
      env: { PUBLIC_SMS_AT_ONCE: String(AT_ONCE), TIMER_SCALE: '1' },
    });
    sims = env.sims;
    await resetQuietly(env.p.ds);
    await seedDemo(env.p.ds);
    // Into the town's zone that already has residents' numbers (the demo's warned zone).
    await env.p.ds.query(
      `INSERT INTO resident_phones (risk_zone_id, phone)
       SELECT z.id, '139' || lpad(i::text, 8, '0')
       FROM (SELECT r.risk_zone_id AS id FROM resident_phones r JOIN risk_zones z ON z.id = r.risk_zone_id
             WHERE z.admin_unit_code LIKE $2 || '%' LIMIT 1) z, generate_series(1, $1) i`,
      [RESIDENTS, SHIZHI],
    );
  });

  afterAll(async () => {
    sims?.network.setAnswerDelay('alibaba', 0);
    sims?.network.setAnswerDelay('tencent', 0);
    await env?.stop();
  });

  it('never has more batches in flight than PUBLIC_SMS_AT_ONCE, sends each number once and the persons their calls', async () => {
    const { p } = env;
    const ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    sims.network.clear();
    sims.network.setAnswerDelay('alibaba', ANSWER_MS);
    sims.network.setAnswerDelay('tencent', ANSWER_MS);
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'PUBLIC-AT-ONCE',
      sent: capTime(-60_000),
      geocode: SHIZHI,
      areaDesc: '十直镇',
    });
    await waitMatched(p.ds, warningId);

    const batches = () =>
      p.ds
        .query<Array<{ status: string; n: number; numbers: number }>>(
          `SELECT b.status, count(*)::int AS n, sum(cardinality(b.phones))::int AS numbers
           FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id
           WHERE n.warning_id = $1 GROUP BY b.status`,
          [warningId],
        )
        .then((rows) => Object.fromEntries(rows.map((r) => [r.status, r])));
    let mostInFlight = 0;
    const all = await waitFor(
      async () => {
        const s = await batches();
        mostInFlight = Math.max(mostInFlight, s.sending?.n ?? 0);
        const total = Object.values(s).reduce((sum, r) => sum + r.n, 0);
        return total > 0 && s.accepted?.n === total ? s.accepted : null;
      },
      { what: 'every area SMS batch accepted', timeoutMs: 60_000, intervalMs: 20 },
    );
    expect(all.n).toBeGreaterThanOrEqual(RESIDENTS / 200);
    // Seen at work, and never more at once than allowed (each batch waits ANSWER_MS at the carrier, polled every 20 ms).
    expect(mostInFlight).toBeGreaterThanOrEqual(1);
    expect(mostInFlight).toBeLessThanOrEqual(AT_ONCE);

    // Each resident's number got the warning once.
    const phones = await p.ds.query<Array<{ phone: string }>>(
      `SELECT unnest(b.phones) AS phone FROM public_sms_batches b JOIN public_notices n ON n.id = b.notice_id
       WHERE n.warning_id = $1`,
      [warningId],
    );
    expect(phones).toHaveLength(all.numbers);
    expect(phones.filter((r) => sims.network.messages(r.phone).length !== 1)).toEqual([]);

    // The persons' own calls went out beside them.
    const persons = await waitFor(
      async () => {
        const [r] = await p.ds.query<Array<{ due: number; accepted: number }>>(
          `SELECT count(*)::int AS due, count(*) FILTER (WHERE a.status IN ('accepted', 'delivered'))::int AS accepted
           FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
           WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.rung = 0`,
          [warningId],
        );
        return r.due > 0 && r.accepted === r.due ? r : null;
      },
      { what: "every person's first SMS accepted", timeoutMs: 60_000 },
    );
    expect(persons.accepted).toBe(persons.due);
  }, 120_000);
});
