import { MatchChunkService, MatchWarningService } from '@app/matching';
import { HandlesJobs, JobHandlers, JobName, QueueName, QueueProcessor } from '@app/queue';

type MatchJobs = JobName.MatchWarning | JobName.MatchChunk;

@HandlesJobs(QueueName.Matching, [JobName.MatchWarning, JobName.MatchChunk], 4)
export class MatchingProcessor extends QueueProcessor<MatchJobs> {
  constructor(
    private readonly matcher: MatchWarningService,
    private readonly chunks: MatchChunkService,
  ) {
    super();
  }

  readonly handlers: JobHandlers<MatchJobs> = {
    [JobName.MatchWarning]: (job) => this.matcher.match(job.data.warningId),
    [JobName.MatchChunk]: (job) => this.chunks.match(job.data.warningId, job.data.county),
  };
}
