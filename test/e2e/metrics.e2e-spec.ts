import { SystemClock, waitFor } from '@app/common';
import { loadEnv } from '@app/config';
import { AckLinks } from '@app/calls';
import { QueueName } from '@app/queue';
import { freePort, issueApiKey } from '@app/testing';
import { FaultRun } from '../support/fault-run';
import { Sample, scrape, sumOf } from '../support/prometheus';

const WORKERS = ['matcher', 'dispatcher', 'escalator', 'ingestor'];
const TOKEN = 'metrics-token-of-this-test';
const SHIZHI = '500230107';

/**
 * Every app's /metrics, each app its own process from the build (`npm run build`), on real PostgreSQL and Redis with
 * the carrier simulator: a red warning for one town is sent, three calls are answered, the rest escalate at their
 * (scaled) deadline, and each counter must have moved by what PostgreSQL's event log says happened.
 */
describe('Prometheus metrics of every app', () => {
  const run = new FaultRun('metrics');
  const ports: Record<string, number> = {};
  const metricsOf = (app: string): Promise<Sample[]> =>
    scrape(app === 'api' ? `http://127.0.0.1:${run.apiPort}/metrics` : `http://127.0.0.1:${ports[app]}/metrics`, TOKEN);
  const events = (type: string, by = `data->>'channel'`) =>
    run.ds
      .query<
        Array<{ key: string; n: number }>
      >(`SELECT ${by} AS key, count(*)::int AS n FROM events WHERE type = $1 GROUP BY 1`, [type])
      .then((rows) => new Map(rows.map((r) => [r.key, r.n])));
  /** Waits until the metric equals what PostgreSQL says (both are read again on each try). */
  const agree = async (what: string, metric: () => Promise<number>, truth: () => Promise<number>) => {
    let last = '';
    await waitFor(
      async () => {
        const [m, t] = await Promise.all([metric(), truth()]);
        last = `${what}: metric ${m}, PostgreSQL ${t}`;
        return m === t && t > 0;
      },
      { what, timeoutMs: 60_000, intervalMs: 500 },
    ).catch(() => {
      throw new Error(`never agreed, last read ${last}`);
    });
  };

  beforeAll(async () => {
    for (const app of WORKERS) {
      ports[app] = await freePort();
    }
    // Red for one town: voice rungs at 3.6 s and 7.2 s, the answer deadline at 12 s.
    await run.start({ TIMER_SCALE: '0.02', SMS_PROVIDERS: 'alibaba-sim', METRICS_TOKEN: TOKEN }, undefined, (app) =>
      WORKERS.includes(app) ? { METRICS_PORT: String(ports[app]) } : {},
    );
    await Promise.all(
      WORKERS.map((app) =>
        waitFor(
          () =>
            fetch(`http://127.0.0.1:${ports[app]}/health`).then(
              (r) => r.ok,
              () => false,
            ),
          { what: `${app} /health` },
        ),
      ),
    );
  }, 180_000);

  afterAll(() => run.stop());

  it('serves /metrics on every app, behind METRICS_TOKEN, with the Node defaults and the app name', async () => {
    for (const app of ['api', ...WORKERS]) {
      const url = app === 'api' ? `http://127.0.0.1:${run.apiPort}/metrics` : `http://127.0.0.1:${ports[app]}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const samples = await metricsOf(app);
      expect(sumOf(samples, 'process_cpu_user_seconds_total', { app })).toBeGreaterThan(0);
      expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
      // Every recovery action shows from the start, at 0 until it happens.
      expect(
        samples
          .filter((s) => s.name === 'jiaoying_recovery_actions_total')
          .map((s) => s.labels.action)
          .sort(),
      ).toEqual([
        'attempt_reconciled',
        'claim_reset',
        'email_resent_after_handover',
        'job_rerun',
        'notice_reconciled',
        'outcome_rewritten',
        'public_sms_reconciled',
        'timer_restored',
      ]);
    }
    const health = await fetch(`http://127.0.0.1:${ports.dispatcher}/health`);
    expect(await health.json()).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('moves messages, answers, escalations, queues, breakers and sweeps by what happened', async () => {
    const warningId = await run.warn('METRICS-1', SHIZHI, '十直镇');
    // Queue depth is read from Redis at the scrape: the calls' deadline timers wait, delayed, in their queue.
    await waitFor(
      async () =>
        sumOf(await metricsOf('api'), 'jiaoying_queue_jobs', { queue: 'call-deadlines', state: 'delayed' }) > 0,
      { what: 'delayed deadline checks' },
    );
    const queues = await metricsOf('escalator');
    // Every queue of the service is reported.
    expect(
      new Set(queues.filter((s) => s.name === 'jiaoying_queue_oldest_job_age_seconds').map((s) => s.labels.queue)).size,
    ).toBe(Object.values(QueueName).length);

    // Three calls answered through their links, as the person's phone would.
    const links = new AckLinks(loadEnv(), new SystemClock());
    const tasks = await run.ds.query<Array<{ id: string; person_id: string }>>(
      `SELECT id, person_id FROM call_tasks WHERE warning_id = $1 AND requires_ack ORDER BY id LIMIT 3`,
      [warningId],
    );
    expect(tasks).toHaveLength(3);
    for (const t of tasks) {
      const res = await fetch(`http://127.0.0.1:${run.apiPort}/api/v1/ack/${links.token(t.id, t.person_id, null)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response: 'received' }),
      });
      expect(res.status).toBeLessThan(300);
    }
    // The silent calls escalate at their deadline; then the warning is lifted, which stops every timer, so that the
    // counts hold still to be compared.
    const escalated = async () => (await events('CallEscalated', `data->>'reason'`)).get('no_ack') ?? 0;
    await waitFor(async () => (await escalated()) > 0, {
      what: 'a first escalation',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const officer = await issueApiKey(run.ds, 'metrics-officer', 'duty_officer', '500000');
    const lift = await fetch(`http://127.0.0.1:${run.apiPort}/api/v1/warnings/${warningId}/lift`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(lift.status).toBe(200);
    await run.settled(warningId);

    // Messages: what the senders recorded, per channel, is what the event log holds.
    for (const channel of ['sms', 'email', 'voice']) {
      await agree(
        `${channel} sent`,
        async () =>
          sumOf(await metricsOf('dispatcher'), 'jiaoying_messages_total', {
            kind: 'call',
            channel,
            outcome: ['accepted', 'delivered'],
          }),
        async () => (await events('MessageSent')).get(channel) ?? 0,
      );
    }
    // The carriers' receipts: applied by the api as they come, or by the dispatcher when one came before its send was written.
    for (const channel of ['sms', 'voice']) {
      await agree(
        `${channel} receipts`,
        async () => {
          const [api, dispatcher] = await Promise.all([metricsOf('api'), metricsOf('dispatcher')]);
          return [api, dispatcher].reduce(
            (n, s) => n + sumOf(s, 'jiaoying_message_receipts_total', { channel, status: 'delivered' }),
            0,
          );
        },
        async () => (await events('MessageDelivered')).get(channel) ?? 0,
      );
    }
    // Notices (who answered …) and residents' area SMS (one per number), as their rows say.
    await agree(
      'notices sent',
      async () =>
        sumOf(await metricsOf('dispatcher'), 'jiaoying_messages_total', { kind: 'notice', outcome: 'accepted' }),
      async () =>
        (
          await run.ds.query<Array<{ n: number }>>(
            `SELECT count(*)::int AS n FROM notices WHERE status IN ('sent', 'delivered')`,
          )
        )[0].n,
    );
    await agree(
      'area SMS sent',
      async () =>
        sumOf(await metricsOf('dispatcher'), 'jiaoying_messages_total', { kind: 'area', outcome: 'accepted' }),
      async () =>
        (
          await run.ds.query<Array<{ n: number }>>(
            `SELECT coalesce(sum(cardinality(phones)), 0)::int AS n FROM public_sms_batches WHERE status = 'accepted'`,
          )
        )[0].n,
    );
    const providers = new Set(
      (await metricsOf('dispatcher'))
        .filter((s) => s.name === 'jiaoying_messages_total' && s.labels.channel === 'sms')
        .map((s) => s.labels.provider),
    );
    expect([...providers]).toEqual(['alibaba-sim']);

    // Answers: every first answer (the three links, and any voice keypress) and its time to answer.
    const answered = () =>
      run.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM acknowledgements`).then((r) => r[0].n);
    await agree('answers', async () => sumOf(await metricsOf('api'), 'jiaoying_answers_total'), answered);
    await agree('answer times', async () => sumOf(await metricsOf('api'), 'jiaoying_answer_seconds_count'), answered);
    const api = await metricsOf('api');
    expect(sumOf(api, 'jiaoying_answers_total', { method: 'link', response: 'received' })).toBe(3);
    // Late: after escalation (someone with no way to reach them is escalated at once, so even a quick answer can be).
    const [{ late }] = await run.ds.query<Array<{ late: number }>>(
      `SELECT count(*) FILTER (WHERE late)::int AS late FROM acknowledgements`,
    );
    expect(sumOf(api, 'jiaoying_answers_total', { late: 'true' })).toBe(late);
    expect(sumOf(api, 'jiaoying_answer_seconds_count', { late: 'true' })).toBe(late);

    // Escalations at the deadline and how late each was.
    await agree(
      'escalations',
      async () => sumOf(await metricsOf('escalator'), 'jiaoying_escalations_total', { reason: 'no_ack' }),
      escalated,
    );
    // Every escalation at a deadline has its lateness: the silent (no_ack) and those with no way to reach them.
    await agree(
      'escalation lateness',
      async () => sumOf(await metricsOf('escalator'), 'jiaoying_escalation_lateness_seconds_count'),
      async () =>
        [...(await events('CallEscalated', `data->>'reason'`)).entries()]
          .filter(([r]) => r !== 'cannot_comply')
          .reduce((n, [, c]) => n + c, 0),
    );
    const lateness = await metricsOf('escalator');
    expect(
      sumOf(lateness, 'jiaoying_escalation_lateness_seconds_sum') /
        sumOf(lateness, 'jiaoying_escalation_lateness_seconds_count'),
    ).toBeLessThan(30);

    // The provider's circuit: closed, unless it opened in the run (a starved machine can time the simulator out); the
    // sweep (every second here) ran and reported what it found, by kind.
    const circuit = await metricsOf('dispatcher');
    const opened = sumOf(circuit, 'jiaoying_provider_breaker_opened_total', { provider: 'alibaba-sim' });
    const state = sumOf(circuit, 'jiaoying_provider_breaker_state', { provider: 'alibaba-sim' });
    expect(opened === 0 ? state : 0).toBe(0);
    expect(
      (await metricsOf('dispatcher')).some(
        (s) => s.name === 'jiaoying_provider_breaker_state' && s.labels.provider === 'alibaba-sim',
      ),
    ).toBe(true);
    const ingestor = await metricsOf('ingestor');
    expect(sumOf(ingestor, 'jiaoying_sweeps_total')).toBeGreaterThan(0);
    expect(ingestor.some((s) => s.name === 'jiaoying_sweep_found_total' && s.labels.kind === 'deadlines')).toBe(true);
  }, 240_000);
});
