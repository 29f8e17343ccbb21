import { MatchWarningService } from '@app/matching';
import { HandlesJobs, JobHandlers, JobName, QueueName, QueueProcessor } from '@app/queue';

@HandlesJobs(QueueName.Matching, [JobName.MatchWarning], 4)
export class MatchingProcessor extends QueueProcessor<JobName.MatchWarning> {
  constructor(private readonly matcher: MatchWarningService) {
    super();
  }

  readonly handlers: JobHandlers<JobName.MatchWarning> = {
    [JobName.MatchWarning]: (job) => this.matcher.match(job.data.warningId),
  };
}
