import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig, DEFAULT_MATCH_JOBS_AT_ONCE } from '@app/config';
import { MatchChunkService, MatchWarningService } from '@app/matching';
import { HandlesJobs, JobHandlers, JobName, QueueName, QueueProcessor } from '@app/queue';

type MatchJobs = JobName.MatchWarning | JobName.MatchChunk;

/**
 * MATCH_JOBS_AT_ONCE jobs at a time (2): a county's chunk holds its calls' rows, parameters and sends in memory until it
 * commits (≈60 MiB for 5,500 calls), and four at once took the matcher to 435 MiB at 10 counties. More counties at
 * once come from more matcher replicas, which share the chunks.
 */
@HandlesJobs(QueueName.Matching, [JobName.MatchWarning, JobName.MatchChunk], DEFAULT_MATCH_JOBS_AT_ONCE)
export class MatchingProcessor extends QueueProcessor<MatchJobs> {
  constructor(
    private readonly matcher: MatchWarningService,
    private readonly chunks: MatchChunkService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected override configuredConcurrency(): number {
    return this.config.matching.jobsAtOnce;
  }

  readonly handlers: JobHandlers<MatchJobs> = {
    [JobName.MatchWarning]: (job) => this.matcher.match(job.data.warningId),
    [JobName.MatchChunk]: (job) => this.chunks.match(job.data.warningId, job.data.county),
  };
}
