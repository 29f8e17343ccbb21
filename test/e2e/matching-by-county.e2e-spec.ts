import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import type { ResolvedSpec } from '@app/config';
import { seedDemo } from '@app/demo';
import { AreaMatcher, MatchChunkService, MatchWarningService, RecipientResolver } from '@app/matching';
import { JobProducer, QueueName } from '@app/queue';
import { StrandedWorkSweeper } from '@app/response';
import type { Simulators } from '@app/simulators';
import { resetDatabase } from '@app/testing';
import type { Pipeline } from '../support/pipeline';
import { SimulatedPipeline, startSimulatedPipeline } from '../support/simulated-pipeline';
import { capTime, issueKey, postCap } from './response-support';

const SHIZHI = '500230107';
const BACHUAN = '500151001';
const DONGCHENG = '500151002';
const COUNTIES = ['500151', '500230'];
const SECRET = 'e2e-callback-secret-by-county-0123';

interface CallRow {
  person_id: string;
  tier: number;
  reasons: unknown[];
  escalation_path: string[][];
  /** Made by an escalation of someone else's call before this person's county was matched. */
  escalation: boolean;
}

/** Reasons compared as sets, each with its keys in order (jsonb keeps its own key order). */
const sortedReasons = (reasons: unknown[]) =>
  reasons.map((r) => JSON.stringify(Object.entries(r as object).sort())).sort();

/**
 * A warning over two counties is matched county by county (MatchWarning makes the chunks, one MatchChunk job each):
 * the calls must be exactly those one matching of the whole area would make — one per person, every reason, the same
 * escalation path — however often a chunk runs, and a chunk whose job was lost is finished by the sweep.
 */
describe('matching a warning county by county', () => {
  let env: SimulatedPipeline;
  let sims: Simulators;
  let p: Pipeline;
  let ds: DataSource;
  let ingestKey: string;
  /** One person of each county given a town role in the other county too. */
  let crossers: string[];

  const matching = () => p.app.get<Queue>(getQueueToken(QueueName.Matching));
  const post = (identifier: string) =>
    postCap(p, ingestKey, { identifier, geocode: [SHIZHI, BACHUAN], areaDesc: '十直镇、巴川街道' }).then((r) => r.id);
  const chunks = (warningId: string) =>
    ds.query<Array<{ county: string; done: boolean; recipients: number | null }>>(
      `SELECT c.county, c.done_at IS NOT NULL AS done, c.recipients FROM match_chunks c
       JOIN dispatches d ON d.id = c.dispatch_id WHERE d.warning_id = $1 ORDER BY c.county`,
      [warningId],
    );
  const allDone = (warningId: string) =>
    waitFor(
      async () =>
        (await chunks(warningId)).every((c) => c.done) && (await chunks(warningId)).length > 0 ? true : null,
      {
        what: 'every county matched',
        timeoutMs: 60_000,
      },
    );
  const calls = (warningId: string) =>
    ds.query<CallRow[]>(
      `SELECT person_id, tier, reasons, escalation_path, escalated_from_task_id IS NOT NULL AS escalation
       FROM call_tasks WHERE warning_id = $1 ORDER BY person_id`,
      [warningId],
    );
  /** What matching wrote for the warning (not what escalations add later): calls, first attempts, CallIssued events. */
  const written = async (warningId: string) => {
    const [r] = await ds.query<Array<{ calls: number; attempts: number; issued: number }>>(
      `WITH t AS (SELECT id FROM call_tasks WHERE warning_id = $1 AND escalated_from_task_id IS NULL)
       SELECT (SELECT count(*)::int FROM t) AS calls,
              (SELECT count(*)::int FROM attempts a JOIN t ON t.id = a.call_task_id WHERE a.rung = 0) AS attempts,
              (SELECT count(*)::int FROM events e JOIN t ON t.id = e.call_task_id WHERE e.type = 'CallIssued') AS issued`,
      [warningId],
    );
    return r;
  };
  /** Every first-rung SMS out, and each at the carrier exactly once. */
  const expectEachSmsOnce = async (warningId: string) => {
    await waitFor(
      async () =>
        (
          await ds.query<Array<{ n: number }>>(
            `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
             WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status IN ('queued', 'sending')`,
            [warningId],
          )
        )[0].n === 0,
      { what: 'every SMS settled', timeoutMs: 60_000 },
    );
    const keys = (
      await ds.query<Array<{ key: string }>>(
        `SELECT a.idempotency_key AS key FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE t.warning_id = $1 AND a.channel = 'sms' AND a.status <> 'failed'`,
        [warningId],
      )
    ).map((k) => k.key);
    expect(keys.length).toBeGreaterThan(0);
    const due = new Set(keys);
    const perKey = new Map<string, number>();
    for (const m of sims.network.messages()) {
      if (due.has(m.outId)) {
        perKey.set(m.outId, (perKey.get(m.outId) ?? 0) + 1);
      }
    }
    expect({ sent: perKey.size, twice: [...perKey.values()].filter((n) => n > 1).length }).toEqual({
      sent: due.size,
      twice: 0,
    });
  };

  beforeAll(async () => {
    env = await startSimulatedPipeline({
      secret: SECRET,
      // Real timers: no answer deadline passes during the test (only people without a contact escalate at once).
      env: { TIMER_SCALE: '1', SWEEP_STALE_MS: '100', SWEEP_TIMER_GRACE_MS: '100', SMS_PROVIDERS: 'alibaba-sim' },
    });
    ({ sims, p } = env);
    ds = p.ds;
    await resetDatabase(ds);
    await seedDemo(ds);
    ingestKey = await issueKey(ds, 'ingest', 'ingest', '500000');
    // A town's role holder of each county also holds the same role in the other county's town: reached from both.
    crossers = [];
    for (const [own, other] of [
      [SHIZHI, BACHUAN],
      [BACHUAN, SHIZHI],
    ]) {
      const [a] = await ds.query<Array<{ person_id: string; role_slot: string; sector: string }>>(
        `SELECT person_id, role_slot, sector FROM responsibility_assignments
         WHERE target_type = 'unit' AND target_id = $1 AND role_slot = 'admin' ORDER BY id LIMIT 1`,
        [own],
      );
      await ds.query(
        `INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id) VALUES ($1, $2, $3, 'unit', $4)`,
        [a.person_id, a.sector, a.role_slot, other],
      );
      crossers.push(a.person_id);
    }
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
    delete process.env.SWEEP_STALE_MS;
    delete process.env.SWEEP_TIMER_GRACE_MS;
    process.env.TIMER_SCALE = '0.001'; // as test/env-setup.ts
  }, 120_000);

  it('makes the calls one matching of the whole area would: one per person, every reason, the same path', async () => {
    const warningId = await post('BY-COUNTY-1');
    await allDone(warningId);
    const made = await chunks(warningId);
    expect(made.map((c) => c.county)).toEqual(COUNTIES);

    const [dispatch] = await ds.query<Array<{ spec: ResolvedSpec; recipient_count: number }>>(
      `SELECT spec, recipient_count FROM dispatches WHERE warning_id = $1`,
      [warningId],
    );
    const whole = await ds.transaction(async (tx) => {
      const match = await p.app
        .get(AreaMatcher)
        .match(tx, warningId, dispatch.spec.zoneKinds, dispatch.spec.objectTypes);
      return p.app.get(RecipientResolver).resolve(tx, match, dispatch.spec, new Date().toISOString().slice(0, 10));
    });
    const got = await calls(warningId);
    const expected = new Map(whole.map((r) => [r.personId, r]));
    // Everyone matched has one call; only escalations add people matching did not find. The warning's state and
    // each county's count are compared too, so that a failure says which chunk called whom.
    const [w] = await ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [warningId]);
    expect({
      state: w.state,
      matched: got.filter((c) => expected.has(c.person_id)).length,
      byCounty: (await chunks(warningId)).reduce((n, c) => n + (c.recipients ?? 0), 0),
    }).toEqual({ state: 'tracking', matched: whole.length, byCounty: whole.length });
    expect(got.filter((c) => !expected.has(c.person_id)).every((c) => c.escalation)).toBe(true);
    expect(dispatch.recipient_count).toBe(whole.length);
    // The last county says matching is complete, once, with the same count.
    expect(
      await ds.query(`SELECT data FROM events WHERE warning_id = $1 AND type = 'WarningMatchingCompleted'`, [
        warningId,
      ]),
    ).toEqual([{ data: { recipients: whole.length, counties: COUNTIES.length } }]);
    for (const call of got.filter((c) => expected.has(c.person_id))) {
      const one = expected.get(call.person_id);
      if (call.escalation) {
        // Reached by an escalation first: that call gained every reason of the person's own.
        expect(sortedReasons(call.reasons)).toEqual(expect.arrayContaining(sortedReasons(one?.reasons ?? [])));
        continue;
      }
      expect({ person: call.person_id, tier: call.tier, path: call.escalation_path }).toEqual({
        person: call.person_id,
        tier: one?.tier,
        path: one?.escalationPath,
      });
      expect(sortedReasons(call.reasons)).toEqual(sortedReasons(one?.reasons ?? []));
    }
    // Each person reached from both counties: one call, with the town role of each county.
    for (const personId of crossers) {
      const call = got.find((c) => c.person_id === personId) as CallRow;
      const towns = (call.reasons as Array<{ targetId?: string }>).map((r) => r.targetId);
      expect(towns).toEqual(expect.arrayContaining([SHIZHI, BACHUAN]));
    }
    await expectEachSmsOnce(warningId);
  }, 180_000);

  it('writes nothing twice when a chunk runs again, twice at once, or its job is added again', async () => {
    await matching().pause();
    const warningId = await post('BY-COUNTY-2');
    // The plan by hand, its chunk jobs held in the paused queue; then the first county twice at once.
    expect(await p.app.get(MatchWarningService).match(warningId)).toBe('done');
    const chunk = p.app.get(MatchChunkService);
    expect(
      await Promise.all([chunk.match(warningId, COUNTIES[0]), chunk.match(warningId, COUNTIES[0])]).then((r) =>
        r.sort(),
      ),
    ).toEqual(['done', 'skipped']);
    const afterFirst = await written(warningId);
    expect(afterFirst.calls).toBeGreaterThan(0);
    expect(await chunk.match(warningId, COUNTIES[0])).toBe('skipped');
    expect(await written(warningId)).toEqual(afterFirst);

    // The queue runs the plan again (it finds the warning tracking) and both chunk jobs; one finds itself done.
    await matching().resume();
    await allDone(warningId);
    const whole = await written(warningId);
    expect(whole.calls).toBeGreaterThan(afterFirst.calls);
    // The sweep and a second enqueue add the chunks again: nothing more is written.
    await p.app.get(JobProducer).rerun({ matchChunks: COUNTIES.map((county) => ({ warningId, county, level: 1 })) });
    await p.app.get(JobProducer).matchChunks(warningId, 1, COUNTIES);
    await waitFor(
      async () => {
        const n = await matching().getJobCounts('waiting', 'active', 'prioritized', 'delayed');
        return Object.values(n).every((c) => c === 0) ? true : null;
      },
      { what: 'the chunk jobs added again have run' },
    );
    expect(await written(warningId)).toEqual(whole);
    expect(whole.issued).toBe(whole.calls);
    expect(
      await ds.query(`SELECT 1 FROM events WHERE warning_id = $1 AND type = 'WarningMatchingCompleted'`, [warningId]),
    ).toHaveLength(1);
    const [{ people }] = await ds.query<Array<{ people: number }>>(
      `SELECT count(DISTINCT person_id)::int AS people FROM call_tasks WHERE warning_id = $1`,
      [warningId],
    );
    expect(people).toBe(whole.calls);
    await expectEachSmsOnce(warningId);
  }, 180_000);

  it('finishes a warning whose matcher died between counties: the sweep runs the county left', async () => {
    await matching().pause();
    const warningId = await post('BY-COUNTY-3');
    expect(await p.app.get(MatchWarningService).match(warningId)).toBe('done');
    expect(await p.app.get(MatchChunkService).match(warningId, COUNTIES[0])).toBe('done');
    // The matcher dies holding the other county's job: the job is gone, the county not matched.
    await matching().obliterate({ force: true });
    await matching().resume();
    expect((await chunks(warningId)).map((c) => c.done)).toEqual([true, false]);
    const sentBefore = await written(warningId);

    await new Promise((r) => setTimeout(r, 150)); // older than SWEEP_STALE_MS
    const report = await p.app.get(StrandedWorkSweeper).sweep();
    expect(report.matchChunks).toBe(1);
    await allDone(warningId);
    const after = await written(warningId);
    expect(after.calls).toBeGreaterThan(sentBefore.calls);
    expect(after.issued).toBe(after.calls);
    const [{ state }] = await ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [
      warningId,
    ]);
    expect(state).toBe('tracking');
    await expectEachSmsOnce(warningId);
  }, 180_000);

  it('tells people of the previous version no county matched, once, and calls everyone a later county matches', async () => {
    const firstSent = capTime(-120_000);
    const first = await postCap(p, ingestKey, {
      identifier: 'BY-COUNTY-4',
      sent: firstSent,
      geocode: [SHIZHI, BACHUAN],
      areaDesc: '十直镇、巴川街道',
    });
    await allDone(first.id);
    // The same level over 十直镇 and 东城街道: 巴川街道's people are no longer matched.
    const { id: warningId } = await postCap(p, ingestKey, {
      identifier: 'BY-COUNTY-5',
      msgType: 'Update',
      references: `fengdu-qxt@cma.gov.cn,BY-COUNTY-4,${firstSent}`,
      sent: capTime(-60_000),
      geocode: [SHIZHI, DONGCHENG],
      areaDesc: '十直镇、东城街道',
    });
    await allDone(warningId);
    const [dispatch] = await ds.query<Array<{ spec: ResolvedSpec; created_at: Date }>>(
      `SELECT spec, created_at FROM dispatches WHERE warning_id = $1`,
      [warningId],
    );
    const matched = new Set(
      (
        await ds.transaction(async (tx) => {
          const match = await p.app
            .get(AreaMatcher)
            .match(tx, warningId, dispatch.spec.zoneKinds, dispatch.spec.objectTypes);
          return p.app.get(RecipientResolver).resolve(tx, match, dispatch.spec, new Date().toISOString().slice(0, 10));
        })
      ).map((r) => r.personId),
    );
    const before = (
      await ds.query<Array<{ person_id: string }>>(
        `SELECT DISTINCT person_id FROM call_tasks WHERE warning_id = $1 AND created_at < $2`,
        [first.id, dispatch.created_at],
      )
    ).map((r) => r.person_id);
    const now = new Map(
      (
        await ds.query<Array<{ person_id: string; requires_ack: boolean }>>(
          `SELECT person_id, requires_ack FROM call_tasks WHERE warning_id = $1 AND escalated_from_task_id IS NULL`,
          [warningId],
        )
      ).map((t) => [t.person_id, t.requires_ack]),
    );
    // Nobody answered the first version: everyone matched now is called again, in whichever county they were found.
    expect([...matched].filter((id) => now.get(id) !== true)).toEqual([]);
    const leftOut = before.filter((id) => !matched.has(id));
    expect(leftOut.length).toBeGreaterThan(0);
    expect(leftOut.filter((id) => now.get(id) !== false)).toEqual([]);
  }, 180_000);
});
