import { Inject, Injectable } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { DispatchService, NoticeSender, ProvidersThrottledError, PublicWarningService } from '@app/delivery';
import { APP_CONFIG, AppConfig, DEFAULT_PUBLIC_SMS_AT_ONCE } from '@app/config';
import { DailyReportService } from '@app/desk';
import {
  HandlesJobs,
  JobHandlers,
  JobProducer,
  JobName,
  JobOutcome,
  QueueName,
  QueueProcessor,
  RetryLaterError,
  retryLater,
  SMS_SENDS_AT_ONCE,
} from '@app/queue';

/** A daily report another worker is sending is looked at again after this long. */
const DAILY_REPORT_BUSY_RETRY_MS = 60_000;

const lastTry = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * The dispatch queues (one per channel, the loudspeakers', residents' public warnings) and the notices queue (notices
 * by SMS share the providers' breakers and TPS buckets, which live in this process): one processor per queue, each
 * job carries an id and the services re-read PostgreSQL. When every provider is at its TPS the job goes back with
 * BullMQ's manual rate limit, and a job that must wait (its warning is being lifted) goes back to the delayed set:
 * neither uses up a retry.
 */
@Injectable()
abstract class DispatchProcessor<N extends JobName> extends QueueProcessor<N> {
  override async process(job: Job, token?: string): Promise<JobOutcome> {
    try {
      return await this.route(job);
    } catch (e) {
      if (e instanceof RetryLaterError) {
        return retryLater(job, token, e);
      }
      if (e instanceof ProvidersThrottledError) {
        await this.worker.rateLimit(e.waitMs);
        throw Worker.RateLimitError();
      }
      throw e;
    }
  }
}

/** A call's send (SendAttempt) on the queue of its channel. */
@Injectable()
abstract class ChannelDispatchProcessor extends DispatchProcessor<JobName.SendAttempt> {
  constructor(private readonly dispatch: DispatchService) {
    super();
  }

  readonly handlers: JobHandlers<JobName.SendAttempt> = {
    [JobName.SendAttempt]: (job) => this.dispatch.send(job.data.attemptId, lastTry(job)),
  };
}

/** A call's single SMS: a page's message handed back, a retry. */
@HandlesJobs(QueueName.DispatchSms, [JobName.SendAttempt], SMS_SENDS_AT_ONCE)
export class SmsDispatchProcessor extends ChannelDispatchProcessor {}

/**
 * Residents' area SMS batches, PUBLIC_SMS_AT_ONCE at a time per dispatcher: each is one request to up to 200 numbers,
 * which costs the carrier far more than a person's SMS. With no bound, a province's 200 batches sent at once were
 * answered after the timeout, opened both SMS circuits and held up the persons' calls for minutes.
 */
@HandlesJobs(QueueName.DispatchPublicSms, [JobName.SendPublicSms], DEFAULT_PUBLIC_SMS_AT_ONCE)
export class PublicSmsProcessor extends DispatchProcessor<JobName.SendPublicSms> {
  constructor(
    private readonly publicWarnings: PublicWarningService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected override configuredConcurrency(): number {
    return this.config.delivery.publicSmsAtOnce;
  }

  readonly handlers: JobHandlers<JobName.SendPublicSms> = {
    [JobName.SendPublicSms]: (job) => this.publicWarnings.sendSms(job.data.batchId, lastTry(job)),
  };
}

/**
 * Personal SMS by the page (SendAttemptPage). Pages in hand at once: enough to keep DispatchService's 300 page sends
 * busy while a page waits on its slowest call, few enough that a red warning's pages queued later (BullMQ priority)
 * wait behind at most 600 messages. What a page could not finish goes back as single SendAttempt jobs on the SMS
 * queue; the page completes once they are added.
 */
@HandlesJobs(QueueName.DispatchSmsPages, [JobName.SendAttemptPage], 12)
export class SmsPageProcessor extends DispatchProcessor<JobName.SendAttemptPage> {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly producer: JobProducer,
  ) {
    super();
  }

  readonly handlers: JobHandlers<JobName.SendAttemptPage> = {
    [JobName.SendAttemptPage]: async (job) => {
      const { later, throttledMs } = await this.dispatch.sendPage(job.data.attemptIds);
      await this.producer.sendSmsLater(later, job.opts.priority);
      if (throttledMs !== null) {
        await this.worker.rateLimit(throttledMs);
      }
      return 'done';
    },
  };
}

@HandlesJobs(QueueName.DispatchVoice, [JobName.SendAttempt], 50)
export class VoiceDispatchProcessor extends ChannelDispatchProcessor {}

@HandlesJobs(QueueName.DispatchEmail, [JobName.SendAttempt], 20)
export class EmailDispatchProcessor extends ChannelDispatchProcessor {}

@HandlesJobs(QueueName.DispatchWebhook, [JobName.SendAttempt], 20)
export class WebhookDispatchProcessor extends ChannelDispatchProcessor {}

@HandlesJobs(QueueName.DispatchBroadcast, [JobName.PlayBroadcast], 20)
export class BroadcastDispatchProcessor extends DispatchProcessor<JobName.PlayBroadcast> {
  constructor(private readonly publicWarnings: PublicWarningService) {
    super();
  }

  readonly handlers: JobHandlers<JobName.PlayBroadcast> = {
    [JobName.PlayBroadcast]: (job) => this.publicWarnings.play(job.data.broadcastJobId),
  };
}

@HandlesJobs(QueueName.PublicWarnings, [JobName.PlanPublicWarning], 5)
export class PublicWarningProcessor extends DispatchProcessor<JobName.PlanPublicWarning> {
  constructor(private readonly publicWarnings: PublicWarningService) {
    super();
  }

  readonly handlers: JobHandlers<JobName.PlanPublicWarning> = {
    [JobName.PlanPublicWarning]: (job) => this.publicWarnings.plan(job.data.warningId),
  };
}

/** Notify-only messages (who answered, 熔断 orders, their escalation and lift), by SMS and email; the daily report. */
@HandlesJobs(QueueName.Notices, [JobName.SendNotice, JobName.SendDailyReport], 10)
export class NoticeProcessor extends DispatchProcessor<JobName.SendNotice | JobName.SendDailyReport> {
  constructor(
    private readonly notices: NoticeSender,
    private readonly dailyReports: DailyReportService,
  ) {
    super();
  }

  readonly handlers: JobHandlers<JobName.SendNotice | JobName.SendDailyReport> = {
    [JobName.SendNotice]: (job) => this.notices.send(job.data.noticeId, lastTry(job)),
    [JobName.SendDailyReport]: async (job) => {
      const outcome = await this.dailyReports.send(job.data.date);
      if (outcome === 'busy') {
        throw new RetryLaterError(
          DAILY_REPORT_BUSY_RETRY_MS,
          `daily report ${job.data.date} is being sent by another worker`,
        );
      }
      return outcome;
    },
  };
}

export const DISPATCH_PROCESSORS = [
  SmsDispatchProcessor,
  SmsPageProcessor,
  PublicSmsProcessor,
  VoiceDispatchProcessor,
  EmailDispatchProcessor,
  WebhookDispatchProcessor,
  BroadcastDispatchProcessor,
  PublicWarningProcessor,
  NoticeProcessor,
];
