import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { DispatchService } from '@app/delivery';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';

@Processor(QueueName.DispatchEmail, { ...WORKER_OPTIONS, concurrency: 20 })
export class EmailDispatchProcessor extends LoggedWorkerHost {
  constructor(private readonly dispatch: DispatchService) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.SendAttempt], JobOutcome, string>): Promise<JobOutcome> {
    if (job.name !== (JobName.SendAttempt as string)) {
      throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.DispatchEmail}`);
    }
    return this.dispatch.send(job.data.attemptId);
  }
}
