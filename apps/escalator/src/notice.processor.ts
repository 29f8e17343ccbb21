import { Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { NoticeSender } from '@app/delivery';
import { JobName, JobOutcome, JobPayloads, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';

/** Notify-only messages (who answered, 熔断 orders and lifts), on their own queue. */
@Processor(QueueName.Notices, { ...WORKER_OPTIONS, concurrency: 10 })
export class NoticeProcessor extends LoggedWorkerHost {
  constructor(private readonly sender: NoticeSender) {
    super();
  }

  async process(job: Job<JobPayloads[JobName.SendNotice], JobOutcome, string>): Promise<JobOutcome> {
    if (job.name !== (JobName.SendNotice as string)) {
      throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Notices}`);
    }
    return this.sender.send(job.data.noticeId);
  }
}
