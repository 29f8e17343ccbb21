import { Processor } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { DispatchService, NoticeSender, ProvidersThrottledError, PublicWarningService } from '@app/delivery';
import { JobName, JobOutcome, LoggedWorkerHost, QueueName, WORKER_OPTIONS } from '@app/queue';

type AnyJob = Job<{ attemptId?: string; batchId?: string; broadcastJobId?: string; warningId?: string; noticeId?: string }, JobOutcome, string>;

const lastTry = (job: AnyJob) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * One worker per dispatch queue (and the notices queue: notices by SMS share the providers' breakers and TPS buckets,
 * which live in this process); each job carries an id, the services re-read PostgreSQL. When every provider is at
 * its TPS the job goes back with BullMQ's manual rate limit (no retry used up).
 */
@Injectable()
abstract class DispatchProcessor extends LoggedWorkerHost {
  constructor(
    protected readonly dispatch: DispatchService,
    protected readonly publicWarnings: PublicWarningService,
    protected readonly notices: NoticeSender,
  ) {
    super();
  }

  async process(job: AnyJob): Promise<JobOutcome> {
    try {
      return await this.run(job);
    } catch (e) {
      if (e instanceof ProvidersThrottledError) {
        await this.worker.rateLimit(e.waitMs);
        throw Worker.RateLimitError();
      }
      throw e;
    }
  }

  private run(job: AnyJob): Promise<JobOutcome> {
    const { attemptId, batchId, broadcastJobId, warningId, noticeId } = job.data;
    const handlers: Partial<Record<string, () => Promise<JobOutcome>>> = {
      [JobName.SendAttempt]: () => this.dispatch.send(attemptId as string, lastTry(job)),
      [JobName.SendPublicSms]: () => this.publicWarnings.sendSms(batchId as string, lastTry(job)),
      [JobName.PlayBroadcast]: () => this.publicWarnings.play(broadcastJobId as string),
      [JobName.PlanPublicWarning]: () => this.publicWarnings.plan(warningId as string),
      [JobName.SendNotice]: () => this.notices.send(noticeId as string, lastTry(job)),
    };
    const handler = handlers[job.name];
    if (!handler) {
      throw new UnrecoverableError(`job ${job.name} does not belong on a dispatch queue`);
    }
    return handler();
  }
}

@Processor(QueueName.DispatchSms, { ...WORKER_OPTIONS, concurrency: 300 })
export class SmsDispatchProcessor extends DispatchProcessor {}

@Processor(QueueName.DispatchVoice, { ...WORKER_OPTIONS, concurrency: 50 })
export class VoiceDispatchProcessor extends DispatchProcessor {}

@Processor(QueueName.DispatchEmail, { ...WORKER_OPTIONS, concurrency: 20 })
export class EmailDispatchProcessor extends DispatchProcessor {}

@Processor(QueueName.DispatchWebhook, { ...WORKER_OPTIONS, concurrency: 20 })
export class WebhookDispatchProcessor extends DispatchProcessor {}

@Processor(QueueName.DispatchBroadcast, { ...WORKER_OPTIONS, concurrency: 20 })
export class BroadcastDispatchProcessor extends DispatchProcessor {}

@Processor(QueueName.PublicWarnings, { ...WORKER_OPTIONS, concurrency: 5 })
export class PublicWarningProcessor extends DispatchProcessor {}

/** Notify-only messages (who answered, 熔断 orders, their escalation and lift), by SMS and email. */
@Processor(QueueName.Notices, { ...WORKER_OPTIONS, concurrency: 10 })
export class NoticeProcessor extends DispatchProcessor {}

export const DISPATCH_PROCESSORS = [
  SmsDispatchProcessor,
  VoiceDispatchProcessor,
  EmailDispatchProcessor,
  WebhookDispatchProcessor,
  BroadcastDispatchProcessor,
  PublicWarningProcessor,
  NoticeProcessor,
];
