import { MatchChunkService, MatchWarningService } from '@app/matching';
import { HandlesJobs, JobHandlers, JobName, QueueName, QueueProcessor } from '@app/queue';

type MatchJobs = JobName.MatchWarning | JobName.MatchChunk;

/**
 * Two jobs at a time: a county's chunk holds its calls' rows, parameters and sends in memory until it commits (≈60 MiB
 * for 5,500 calls), and four at once took the matcher to 435 MiB at 10 counties. More counties at once come from
 * more matcher replicas, which share the chunks.
 */
@HandlesJobs(QueueName.Matching, [JobName.MatchWarning, JobName.MatchChunk], 2)
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
