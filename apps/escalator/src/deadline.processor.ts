import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';
import { DeadlineService } from '@app/response';

/** Its own queue and worker: a fan-out backlog never makes a deadline late (PERFORMANCE.md B6). */
@Processor(QueueName.Deadlines, { ...WORKER_OPTIONS, concurrency: 10 })
export class DeadlineProcessor extends LoggedWorkerHost {
  constructor(private readonly deadlines: DeadlineService) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.CheckCallTask], JobOutcome, string>): Promise<JobOutcome> {
    if (job.name !== (JobName.CheckCallTask as string)) {
      throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Deadlines}`);
    }
    return this.deadlines.check(job.data.callTaskId, job.data.step);
  }
}
