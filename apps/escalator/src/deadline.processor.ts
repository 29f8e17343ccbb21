import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';
import { DeadlineService, OrdersService, WarningLifecycle } from '@app/response';

type TimerJob =
  | Job<JobPayloads[JobName.CheckCallTask], JobOutcome, JobName.CheckCallTask>
  | Job<JobPayloads[JobName.ExpireWarning], JobOutcome, JobName.ExpireWarning>
  | Job<JobPayloads[JobName.CheckOrderTarget], JobOutcome, JobName.CheckOrderTarget>;

/**
 * Its own queue and worker: a fan-out backlog never makes a deadline late (PERFORMANCE.md B6). Deadlines of one
 * dispatch fall due together, so the worker takes many at once; each holds a pool connection only briefly.
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
      case JobName.CheckCallTask:
        return this.deadlines.check(job.data.callTaskId, job.data.step);
      case JobName.ExpireWarning:
        return this.lifecycle.expire(job.data.warningId);
      case JobName.CheckOrderTarget:
        return this.orders.check(job.data.orderTargetId, job.data.phase);
      default:
        throw new UnrecoverableError(`unknown job ${(job as Job).name} on ${QueueName.Deadlines}`);
    }
  }
}
