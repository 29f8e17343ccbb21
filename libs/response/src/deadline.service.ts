import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import type { ResolvedSpec } from '@app/config';
import { EventLog } from '@app/database';
import { JobOutcome } from '@app/queue';
import { CallPlanner, PlannedWork } from './call-planner';
import { Escalator } from './escalator';

const OPEN = ['pending', 'sent', 'unreachable'];

/**
 * Runs a delayed check of one call task against PostgreSQL: the next ladder rung (retry on the next channel),
 * or the answer deadline (escalate). An answered or closed task is skipped, so late or repeated jobs are harmless.
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

  async check(callTaskId: string, step: number | 'deadline'): Promise<JobOutcome> {
    const now = this.clock.now();
    const work = await this.dataSource.transaction(async (tx): Promise<PlannedWork | null | 'skip'> => {
      const [task] = await tx.query<Array<{ id: string; warning_id: string; state: string; next_rung: number; level: number | null; warning_state: string; spec: ResolvedSpec }>>(
        `SELECT t.id, t.warning_id, t.state, t.next_rung, w.level, w.state AS warning_state, d.spec
         FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id
         WHERE t.id = $1 FOR NO KEY UPDATE OF t`,
        [callTaskId],
      );
      if (!task || !OPEN.includes(task.state) || task.warning_state !== 'tracking') {
        return 'skip';
      }
      if (step === 'deadline') {
        return this.escalator.escalate(tx, task.id, task.state === 'unreachable' ? 'unreachable' : 'no_ack', now);
      }
      if (task.state === 'unreachable' || task.next_rung > step || step >= task.spec.ladderMs.length) {
        return 'skip';
      }
      await tx.query(`UPDATE call_tasks SET next_rung = $2, updated_at = $3 WHERE id = $1`, [task.id, step + 1, now]);
      const sends = await this.planner.createAttempts(tx, [task.id], step, task.spec.ladderMs[step].channels, task.level);
      await this.events.append(
        { type: 'CallRetried', warningId: task.warning_id, callTaskId: task.id, data: { rung: step, channels: sends.map((s) => s.channel) } },
        tx,
      );
      return { taskIds: new Map(), sends, checks: [] };
    });
    if (work === 'skip') {
      return 'skipped';
    }
    if (work) {
      await this.escalator.enqueue(work, now);
    }
    return 'done';
  }
}
