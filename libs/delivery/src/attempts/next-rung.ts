import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { DeadlineService } from '@app/calls';
import { CallTasksRepository, isOnLadder } from '@app/database';

/**
 * After a permanent failure (invalid or blacklisted number, refused address) the person's next ladder rung runs
 * now instead of at its time, through the same DeadlineService a timer would call. When no rung is left with a
 * channel that can still reach the person, the call is marked unreachable and escalates at once.
 */
@Injectable()
export class NextRung {
  private readonly logger = new Logger(NextRung.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly callTasks: CallTasksRepository,
    private readonly deadlines: DeadlineService,
    private readonly clock: Clock,
  ) {}

  async afterPermanentFailure(callTaskId: string): Promise<void> {
    const [task] = await this.dataSource.query<
      Array<{ state: string; next_rung: number; rungs: number; delivered: boolean }>
    >(
      `SELECT t.state, t.next_rung, jsonb_array_length(d.spec->'ladderMs') AS rungs,
              EXISTS (SELECT 1 FROM attempts a WHERE a.call_task_id = t.id AND a.status = 'delivered') AS delivered
       FROM call_tasks t JOIN dispatches d ON d.id = t.dispatch_id WHERE t.id = $1`,
      [callTaskId],
    );
    if (!task || !isOnLadder(task.state) || task.delivered) {
      return;
    }
    for (let step = task.next_rung; step < task.rungs; step++) {
      await this.deadlines.check([callTaskId], step);
      if (await this.reachable(callTaskId)) {
        this.logger.log({ msg: 'next rung now after permanent failure', callTaskId, rung: step });
        return;
      }
    }
    if (await this.reachable(callTaskId)) {
      return;
    }
    if (await this.callTasks.markUnreachable(this.dataSource.manager, callTaskId, this.clock.now())) {
      this.logger.warn({ msg: 'no channel left: escalating now', callTaskId });
      await this.deadlines.check([callTaskId], 'deadline');
    }
  }

  /** Some attempt is still on its way or already with the provider. */
  private async reachable(callTaskId: string): Promise<boolean> {
    const [row] = await this.dataSource.query<Array<{ live: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM attempts WHERE call_task_id = $1 AND status IN ('queued','sending','accepted','delivered')) AS live`,
      [callTaskId],
    );
    return row.live;
  }
}
