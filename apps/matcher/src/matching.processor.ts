import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { MatchWarningService } from '@app/matching';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';

@Processor(QueueName.Matching, { ...WORKER_OPTIONS, concurrency: 4 })
export class MatchingProcessor extends LoggedWorkerHost {
  constructor(private readonly matcher: MatchWarningService) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.MatchWarning], JobOutcome, string>): Promise<JobOutcome> {
    if (job.name !== (JobName.MatchWarning as string)) {
      throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Matching}`);
    }
    return this.matcher.match(job.data.warningId);
  }
}
