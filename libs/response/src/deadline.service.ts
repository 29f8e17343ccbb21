import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { ResolvedSpec, tierSpec } from '@app/config';
import { EventLog } from '@app/database';
import { JobOutcome } from '@app/queue';
import { CallPlanner, PlannedWork, mergeWork } from './call-planner';
import { Escalator } from './escalator';

const OPEN = ['pending', 'sent', 'unreachable'];
/** A further-escalation job may fire this early (timer granularity) and still count as due. */
const ROUND_TOLERANCE_MS = 250;

/**
 * Locks a call task for a change, its warning first (shared): a lift or an update, which locks the warning
 * exclusively, then either waits for this change to commit or makes it see the warning no longer tracking.
 * Every writer that can add calls or messages to a warning takes the locks in this order.
 */
export async function lockTaskWithWarning<T>(tx: EntityManager, callTaskId: string, columns: string): Promise<T | undefined> {
  await tx.query(`SELECT 1 FROM warnings WHERE id = (SELECT warning_id FROM call_tasks WHERE id = $1) FOR SHARE`, [callTaskId]);
  const [row] = await tx.query<T[]>(
    `SELECT ${columns} FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id
     WHERE t.id = $1 FOR NO KEY UPDATE OF t`,
    [callTaskId],
  );
  return row;
}

/** How many of one job's call tasks are checked at once (each its own short transaction). */
const LANES = 4;

/**
 * Runs the delayed checks of call tasks whose timer of one step fell due together: the next ladder rung (retry on the
 * next channel) or the answer deadline (escalate). Each task is its own transaction against PostgreSQL; an answered
 * or closed task, or one whose warning no longer tracks, is skipped, so late or repeated jobs are harmless. The work
 * they plan shares one clock reading, so it is enqueued once and its own timers again fall due together.
 */
@Injectable()
export class DeadlineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly planner: CallPlanner,
    private readonly escalator: Escalator,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async check(callTaskIds: string[], step: number | 'deadline'): Promise<JobOutcome> {
    const now = this.clock.now();
    const works: PlannedWork[] = [];
    const failures: unknown[] = [];
    let next = 0;
    const lane = async () => {
      while (next < callTaskIds.length) {
        const id = callTaskIds[next++];
        try {
          const work = await this.checkOne(id, step, now);
          if (work) {
            works.push(work);
          }
        } catch (e) {
          failures.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, callTaskIds.length) }, lane));
    if (works.length > 0) {
      await this.escalator.enqueue(mergeWork(works), now);
    }
    if (failures.length > 0) {
      // The job runs again; the tasks done this time are skipped then.
      throw new AggregateError(failures, `${failures.length} of ${callTaskIds.length} checks failed: ${String(failures[0])}`);
    }
    return works.length > 0 ? 'done' : 'skipped';
  }

  private async checkOne(callTaskId: string, step: number | 'deadline', now: Date): Promise<PlannedWork | null> {
    return this.dataSource.transaction(async (tx): Promise<PlannedWork | null> => {
      const task = await lockTaskWithWarning<{
        id: string; warning_id: string; state: string; tier: number; next_rung: number; level: number | null; steps: number;
        warning_state: string; spec: ResolvedSpec; requires_ack: boolean; escalation_step: number; deadline_at: Date | null;
      }>(tx, callTaskId, `t.id, t.warning_id, t.state, t.tier, t.next_rung, t.requires_ack, t.escalation_step, t.deadline_at, w.level,
                          jsonb_array_length(t.escalation_path) AS steps, w.state AS warning_state, d.spec`);
      // An escalated call still silent at the deadline of the step it reached goes one step further, if there is one.
      const furtherRound = step === 'deadline' && task?.state === 'escalated' && task.escalation_step > 0
        && task.escalation_step < task.steps && !!task.deadline_at && task.deadline_at.getTime() <= now.getTime() + ROUND_TOLERANCE_MS;
      if (!task || !task.requires_ack || (!OPEN.includes(task.state) && !furtherRound) || task.warning_state !== 'tracking') {
        return null;
      }
      if (step === 'deadline') {
        return this.escalator.escalate(tx, task.id, task.state === 'unreachable' ? 'unreachable' : 'no_ack', now);
      }
      const ladder = tierSpec(task.spec, task.tier).ladderMs;
      if (task.state === 'unreachable' || task.next_rung > step || step >= ladder.length) {
        return null;
      }
      await tx.query(`UPDATE call_tasks SET next_rung = $2, updated_at = $3 WHERE id = $1`, [task.id, step + 1, now]);
      const sends = await this.planner.createAttempts(tx, [task.id], step, ladder[step].channels, task.level);
      await this.events.append(
        { type: 'CallRetried', warningId: task.warning_id, callTaskId: task.id, data: { rung: step, channels: sends.map((s) => s.channel) } },
        tx,
      );
      return { taskIds: new Map(), sends, checks: [] };
    });
  }
}
