import request from 'supertest';
import { waitFor } from '@app/common';
import { DemoSummary, seedDemo } from '@app/demo';
import { Pipeline, startPipeline } from '../support/pipeline';
import { TaskRow, answer, issueKey, postCap, resetQuietly, tasksOf, waitMatched } from './response-support';

/**
 * Scenario S7 (docs/domain.md): a village that never answers. Nobody answers, so the chain climbs step by step — backup and 包干
 * leader, the same role one tier up, the duty officer, the commander — while the board shows the silent village and
 * the open escalations by age; an answer after escalation is recorded and marked late.
 */
describe('S7 a village that never answers', () => {
  let p: Pipeline;
  let demo: DemoSummary;
  let ingest: string;
  let commanderKey: string;

  beforeAll(async () => {
    p = await startPipeline({ TIMER_SCALE: '0.01', ACK_RATE_PER_SECOND: '10000' });
    await resetQuietly(p.ds);
    demo = await seedDemo(p.ds);
    ingest = await issueKey(p.ds, 'ingest', 'ingest', '500000');
    commanderKey = await issueKey(p.ds, 'commander', 'commander', '500230');
  });

  afterAll(async () => {
    await p.stop();
  });

  it('escalates all the way to the commander and marks late answers', async () => {
    const s = demo.shizhi;
    const county = demo.counties[s.townCode.slice(0, 6)];
    const { id: warningId } = await postCap(p, ingest, {
      identifier: 'S7-VILLAGE',
      geocode: s.villageCode,
      areaDesc: `${s.villageName}`,
    });
    await waitMatched(p.ds, warningId);
    const t0 = (await tasksOf(p.ds, warningId)).filter((t) => t.tier === 0);
    const director = t0.find((t) => t.person_id === s.villageDirectorId) as TaskRow;
    expect(director).toBeDefined();

    // Reaching the 包干 town leader, then the duty officer, then the commander (a task, or a reason added to theirs).
    const reached = async (personId: string) =>
      (
        await p.ds.query<unknown[]>(
          `SELECT 1 FROM escalations e JOIN call_tasks t ON t.id = e.to_task_id WHERE e.warning_id = $1 AND t.person_id = $2`,
          [warningId, personId],
        )
      ).length > 0;
    await waitFor(() => reached(s.townLeaderId), { what: '包干 town leader reached', timeoutMs: 20_000 });
    await waitFor(async () => (await Promise.all(county.dutyOfficerIds.map(reached))).some(Boolean), {
      what: 'duty officer reached',
      timeoutMs: 40_000,
    });
    await waitFor(() => reached(county.commanderId), { what: 'commander reached', timeoutMs: 60_000 });

    // The board: the village has no answer, escalations are listed oldest first.
    const board = (
      await request(p.server).get('/api/v1/board').set('Authorization', `Bearer ${commanderKey}`).expect(200)
    ).body as {
      unitsWithoutAnswers: Array<{ unitCode: string }>;
      openEscalations: Array<{ ageSeconds: number }>;
    };
    expect(board.unitsWithoutAnswers.map((u) => u.unitCode)).toContain(s.villageCode);
    expect(board.openEscalations.length).toBeGreaterThan(3);
    const ages = board.openEscalations.map((e) => e.ageSeconds);
    expect([...ages].sort((a, b) => b - a)).toEqual(ages);

    // The director answers at last, once his own call has passed its deadline and climbed (the chain above may have
    // been reached sooner, through someone nobody can reach): recorded, and late.
    await waitFor(
      async () =>
        (await p.ds.query<Array<{ state: string }>>(`SELECT state FROM call_tasks WHERE id = $1`, [director.id]))[0]
          .state === 'escalated',
      { what: 'the director’s call escalated', timeoutMs: 60_000 },
    );
    const late = await answer(p, director, 'on_post');
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ late: true });
    const records = await p.ds.query<Array<{ kind: string }>>(
      `SELECT kind FROM performance_records WHERE call_task_id = $1 ORDER BY at`,
      [director.id],
    );
    expect(records.map((r) => r.kind)).toEqual(['no_ack', 'answered_late']);
  }, 180_000);
});
