import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';
import { DeadlineService, OrdersService, WarningLifecycle } from '@app/response';

type TimerJob =
  | Job<JobPayloads[JobName.CheckCallTasks], JobOutcome, JobName.CheckCallTasks>
  | Job<JobPayloads[JobName.ExpireWarning], JobOutcome, JobName.ExpireWarning>
  | Job<JobPayloads[JobName.CheckOrderTarget], JobOutcome, JobName.CheckOrderTarget>;

/**
 * Its own queue and worker: a fan-out backlog never makes a deadline late (PERFORMANCE.md B6). Timers of one
 * dispatch fall due together and come as one job per 50 tasks (check-groups.ts), checked a few at a time.
 */
@Processor(QueueName.Deadlines, { ...WORKER_OPTIONS, concurrency: 50 })
export class DeadlineProcessor extends LoggedWorkerHost {
  constructor(
    private readonly deadlines: DeadlineService,
    private readonly lifecycle: WarningLifecycle,
    private readonly orders: OrdersService,
  ) {
    super();
  }

  async process(job: TimerJob): Promise<JobOutcome> {
    switch (job.name) {
      case JobName.CheckCallTasks:
        return this.deadlines.check(job.data.callTaskIds, job.data.step);
      case JobName.ExpireWarning:
        return this.lifecycle.expire(job.data.warningId);
      case JobName.CheckOrderTarget:
        return this.orders.check(job.data.orderTargetId, job.data.phase);
      default:
        throw new UnrecoverableError(`unknown job ${(job as Job).name} on ${QueueName.Deadlines}`);
    }
  }
}
