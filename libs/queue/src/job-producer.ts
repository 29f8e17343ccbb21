import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CheckJob, groupChecks } from './check-groups';
import {
  DEFAULT_JOB_OPTIONS,
  JobName,
  JobPayloads,
  QueueName,
  SMS_PAGE_SIZE,
  jobId,
  priorityForLevel,
  queueForChannel,
} from './queue.constants';

export interface SendJob {
  attemptId: string;
  channel: string;
  level: number | null;
}

/** What the sweep found still to do in PostgreSQL whose job may be lost, stuck or finished early. */
export interface StrandedWork {
  matches?: Array<{ warningId: string; level: number | null }>;
  /** Counties of a warning matched chunk by chunk whose chunk is still not done. */
  matchChunks?: Array<{ warningId: string; county: string; level: number | null }>;
  /** Timers whose time passed without their check having run. */
  checks?: { due: CheckJob[]; now: Date };
  sends?: SendJob[];
  publicPlans?: Array<{ warningId: string; level: number | null }>;
  publicSms?: Array<{ batchId: string; level: number | null }>;
  broadcasts?: Array<{ broadcastJobId: string; level: number | null }>;
  notices?: string[];
}

/** What a planning (matching, an escalation, a new version, an answer) leaves to enqueue after its commit. */
export interface PlannedJobs {
  sends: SendJob[];
  checks: CheckJob[];
  /** 督办 opened or added to by this work: each is looked at once its round has been quiet a while. */
  escalationNotices?: string[];
  /** Notify-only notices written by this work (e.g. 无匹配对象 to the duty desk), sent last. */
  notices?: string[];
}

type BulkJob = { name: string; data: object; opts: JobsOptions };

const delayUntil = (at: Date, now: Date): number => Math.max(0, at.getTime() - now.getTime());

/** The only place that adds jobs, to every queue. Payloads carry ids; PostgreSQL holds the truth. */
@Injectable()
export class JobProducer {
  constructor(
    @InjectQueue(QueueName.Matching) private readonly matching: Queue,
    @InjectQueue(QueueName.DispatchEmail) private readonly email: Queue,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
    @InjectQueue(QueueName.DispatchSms) private readonly sms: Queue,
    @InjectQueue(QueueName.DispatchSmsPages) private readonly smsPagesQueue: Queue,
    @InjectQueue(QueueName.DispatchPublicSms) private readonly publicSms: Queue,
    @InjectQueue(QueueName.DispatchVoice) private readonly voice: Queue,
    @InjectQueue(QueueName.DispatchWebhook) private readonly webhook: Queue,
    @InjectQueue(QueueName.DispatchBroadcast) private readonly broadcast: Queue,
    @InjectQueue(QueueName.PublicWarnings) private readonly publicWarnings: Queue,
    @InjectQueue(QueueName.Notices) private readonly notices: Queue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async matchWarning(warningId: string, level: number | null): Promise<void> {
    await this.addChunked(this.matching, [this.matchJob(warningId, level)]);
  }

  async matchChunks(warningId: string, level: number | null, counties: string[]): Promise<void> {
    await this.addChunked(
      this.matching,
      counties.map((county) => this.matchChunkJob(warningId, county, level)),
    );
  }

  /**
   * Planned work, after the commit that planned it: the sends, then the timers, then notices. Timer delays count from when the
   * timers are added, never from before: queueing the sends of 10,000 people takes seconds.
   */
  async enqueuePlanned(work: PlannedJobs, planned: Date): Promise<void> {
    await this.send(work.sends);
    const now = this.clock.now();
    const from = now.getTime() > planned.getTime() ? now : planned;
    await this.scheduleChecks(work.checks, from);
    if (work.escalationNotices && work.escalationNotices.length > 0) {
      await this.scheduleEscalationNotices(work.escalationNotices, from, from);
    }
    if (work.notices && work.notices.length > 0) {
      await this.sendNotices(work.notices);
    }
  }

  /** Each 督办 is looked at once its round has been quiet for ESCALATION_GATHER_MS after `gatheredAt`. */
  async scheduleEscalationNotices(ids: string[], gatheredAt: Date, now: Date): Promise<void> {
    const dueAt = new Date(gatheredAt.getTime() + this.config.timers.escalationGatherMs);
    await this.addChunked(
      this.deadlines,
      ids.map((id) =>
        bulkJob(JobName.SendEscalationNotice, { escalationNoticeId: id }, jobId.escalationNotice(id, gatheredAt), {
          delay: delayUntil(dueAt, now),
        }),
      ),
    );
  }

  /**
   * The who-answered notices of a warning's answers, at the end of the current window of `windowMs` (one job per
   * window however many answers came in it).
   */
  async notifyPeers(warningId: string, now: Date, windowMs: number): Promise<void> {
    const window = Math.floor(now.getTime() / windowMs);
    const dueAt = new Date((window + 1) * windowMs);
    await this.addChunked(this.deadlines, [
      bulkJob(JobName.NotifyPeers, { warningId }, jobId.notifyPeers(warningId, window), {
        delay: delayUntil(dueAt, now),
      }),
    ]);
  }

  /** SMS in pages of SMS_PAGE_SIZE (one page, one level), other channels one job per attempt. */
  async send(jobs: SendJob[]): Promise<void> {
    const sms = jobs.filter((j) => j.channel === 'sms');
    await this.addChunked(this.smsPagesQueue, this.smsPages(sms));
    for (const [queue, list] of this.sendJobsByQueue(jobs.filter((j) => j.channel !== 'sms'))) {
      await this.addChunked(queue, list);
    }
  }

  /**
   * SMS a page could not finish now (busy, being lifted, throttled, a transient failure): each back as its own
   * SendAttempt job after its delay, with the page's priority and a single attempt's retries.
   */
  async sendSmsLater(
    later: Array<{ attemptId: string; delayMs: number }>,
    priority: number | undefined,
  ): Promise<void> {
    await this.ensure(
      this.sms,
      later.map((l) =>
        bulkJob(JobName.SendAttempt, { attemptId: l.attemptId }, jobId.send(l.attemptId), {
          priority,
          delay: l.delayMs,
        }),
      ),
    );
  }

  /** Residents' public warnings of a matched warning (area SMS, loudspeakers): planned at once, after commit. */
  async planPublicWarning(warningId: string, level: number | null): Promise<void> {
    await this.addChunked(this.publicWarnings, [this.publicPlanJob(warningId, level)]);
  }

  async sendPublicSms(batches: Array<{ batchId: string; level: number | null }>): Promise<void> {
    await this.addChunked(
      this.publicSms,
      batches.map((b) => this.publicSmsJob(b.batchId, b.level)),
    );
  }

  async playBroadcasts(jobs: Array<{ broadcastJobId: string; level: number | null }>): Promise<void> {
    await this.addChunked(
      this.broadcast,
      jobs.map((b) => this.broadcastJob(b.broadcastJobId, b.level)),
    );
  }

  /** Notify-only notices (outbox rows in `notices`), after the commit that wrote them. */
  async sendNotices(noticeIds: string[]): Promise<void> {
    await this.addChunked(
      this.notices,
      noticeIds.map((id) => this.noticeJob(id)),
    );
  }

  /** The daily duty report about `date`: one job per day however many schedulers fire (deterministic id). */
  async sendDailyReport(date: string): Promise<void> {
    await this.addChunked(this.notices, [bulkJob(JobName.SendDailyReport, { date }, jobId.dailyReport(date))]);
  }

  /**
   * For the sweep, with work PostgreSQL says is still to do: a job that failed for good, or completed without doing it
   * (it found its row claimed by a worker that then died), runs again; a missing one is added; a live one is left alone.
   * Returns how many jobs were added again: timers (checks) apart from the rest.
   */
  async rerun(work: StrandedWork): Promise<{ jobs: number; timers: number }> {
    let jobs = await this.ensure(this.matching, [
      ...(work.matches ?? []).map((m) => this.matchJob(m.warningId, m.level)),
      ...(work.matchChunks ?? []).map((c) => this.matchChunkJob(c.warningId, c.county, c.level)),
    ]);
    // One job per timer put back: the same timer gets the same job id at every sweep, so it is never added twice.
    const timers = work.checks
      ? await this.ensure(this.deadlines, this.checkJobs(work.checks.due, work.checks.now, 1))
      : 0;
    for (const [queue, list] of this.sendJobsByQueue(work.sends ?? [])) {
      jobs += await this.ensure(queue, list);
    }
    jobs += await this.ensure(
      this.publicWarnings,
      (work.publicPlans ?? []).map((w) => this.publicPlanJob(w.warningId, w.level)),
    );
    jobs += await this.ensure(
      this.publicSms,
      (work.publicSms ?? []).map((b) => this.publicSmsJob(b.batchId, b.level)),
    );
    jobs += await this.ensure(
      this.broadcast,
      (work.broadcasts ?? []).map((b) => this.broadcastJob(b.broadcastJobId, b.level)),
    );
    jobs += await this.ensure(
      this.notices,
      (work.notices ?? []).map((id) => this.noticeJob(id)),
    );
    return { jobs, timers };
  }

  /**
   * Timer jobs BullMQ holds that were due by `at` and have not run yet: waiting, running, or delayed past their time.
   * While there are any, an overdue timer may simply be in line.
   */
  async timersInLine(at: Date): Promise<number> {
    const counts = await this.deadlines.getJobCounts('waiting', 'active', 'prioritized');
    return counts.waiting + counts.active + counts.prioritized + (await this.deadlines.getDelayedCount(at.getTime()));
  }

  private smsPages(jobs: SendJob[]): BulkJob[] {
    const byLevel = new Map<number, string[]>();
    for (const j of jobs) {
      const priority = priorityForLevel(j.level);
      const ids = byLevel.get(priority) ?? [];
      ids.push(j.attemptId);
      byLevel.set(priority, ids);
    }
    const pages: BulkJob[] = [];
    for (const [priority, ids] of [...byLevel].sort(([a], [b]) => a - b)) {
      for (let i = 0; i < ids.length; i += SMS_PAGE_SIZE) {
        const attemptIds = ids.slice(i, i + SMS_PAGE_SIZE);
        pages.push(bulkJob(JobName.SendAttemptPage, { attemptIds }, jobId.sendPage(attemptIds), { priority }));
      }
    }
    return pages;
  }

  private sendJobsByQueue(jobs: SendJob[]): Map<Queue, BulkJob[]> {
    const byQueue = new Map<Queue, BulkJob[]>();
    for (const j of jobs) {
      const queue = this.queue(queueForChannel(j.channel));
      const list = byQueue.get(queue) ?? [];
      list.push(
        bulkJob(JobName.SendAttempt, { attemptId: j.attemptId }, jobId.send(j.attemptId), {
          priority: priorityForLevel(j.level),
        }),
      );
      byQueue.set(queue, list);
    }
    return byQueue;
  }

  private matchJob(warningId: string, level: number | null): BulkJob {
    return bulkJob(JobName.MatchWarning, { warningId }, jobId.match(warningId), { priority: priorityForLevel(level) });
  }

  private matchChunkJob(warningId: string, county: string, level: number | null): BulkJob {
    return bulkJob(JobName.MatchChunk, { warningId, county }, jobId.matchChunk(warningId, county), {
      priority: priorityForLevel(level),
    });
  }

  private publicPlanJob(warningId: string, level: number | null): BulkJob {
    return bulkJob(JobName.PlanPublicWarning, { warningId }, jobId.publicWarning(warningId), {
      priority: priorityForLevel(level),
    });
  }

  private publicSmsJob(batchId: string, level: number | null): BulkJob {
    return bulkJob(JobName.SendPublicSms, { batchId }, jobId.publicSms(batchId), { priority: priorityForLevel(level) });
  }

  private broadcastJob(broadcastJobId: string, level: number | null): BulkJob {
    return bulkJob(JobName.PlayBroadcast, { broadcastJobId }, jobId.broadcast(broadcastJobId), {
      priority: priorityForLevel(level),
    });
  }

  private noticeJob(noticeId: string): BulkJob {
    return bulkJob(JobName.SendNotice, { noticeId }, jobId.notice(noticeId));
  }

  /**
   * Adds each job anew unless a live one (waiting, delayed, active) has its id. A finished one under that id is removed
   * first: BullMQ ignores an add whose id it still keeps, and a fresh job gets its full retries and today's data.
   */
  private async ensure(queue: Queue, jobs: BulkJob[]): Promise<number> {
    const missing: BulkJob[] = [];
    for (let i = 0; i < jobs.length; i += 100) {
      await Promise.all(
        jobs.slice(i, i + 100).map(async (j) => {
          const existing = await queue.getJob(j.opts.jobId as string);
          const state = existing ? await existing.getState() : 'missing';
          if (existing && (state === 'failed' || state === 'completed')) {
            await existing.remove();
          }
          if (!existing || state === 'failed' || state === 'completed') {
            missing.push(j);
          }
        }),
      );
    }
    await this.addChunked(queue, missing);
    return missing.length;
  }

  private async addChunked(queue: Queue, jobs: BulkJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 1000) {
      await queue.addBulk(jobs.slice(i, i + 1000));
    }
  }

  /** Delayed checks (ladder rungs, answer deadlines), one job per group of timers due together (check-groups.ts). */
  async scheduleChecks(checks: CheckJob[], now: Date): Promise<void> {
    await this.addChunked(this.deadlines, this.checkJobs(checks, now));
  }

  private checkJobs(checks: CheckJob[], now: Date, perJob?: number): BulkJob[] {
    return groupChecks(checks, perJob).map((g) =>
      bulkJob(
        JobName.CheckCallTasks,
        { callTaskIds: g.callTaskIds, step: g.step, dueAt: g.dueAt.toISOString() },
        jobId.checks(g.step, g.dueAt, g.callTaskIds),
        { delay: delayUntil(g.dueAt, now) },
      ),
    );
  }

  /** At expires_at the warning is lifted, if PostgreSQL still says it is live then. */
  async scheduleExpiry(warningId: string, expiresAt: Date, now: Date): Promise<void> {
    await this.addChunked(this.deadlines, [
      bulkJob(JobName.ExpireWarning, { warningId }, jobId.expire(warningId), { delay: delayUntil(expiresAt, now) }),
    ]);
  }

  /** 熔断 order targets: a check at the deadline to acknowledge and at the deadline to execute. */
  async scheduleOrderChecks(
    checks: Array<{ orderTargetId: string; phase: 'ack' | 'execute'; dueAt: Date }>,
    now: Date,
  ): Promise<void> {
    await this.addChunked(
      this.deadlines,
      checks.map((c) =>
        bulkJob(
          JobName.CheckOrderTarget,
          { orderTargetId: c.orderTargetId, phase: c.phase },
          jobId.orderCheck(c.orderTargetId, c.phase),
          { delay: delayUntil(c.dueAt, now) },
        ),
      ),
    );
  }

  private queue(name: QueueName): Queue {
    switch (name) {
      case QueueName.Matching:
        return this.matching;
      case QueueName.DispatchEmail:
        return this.email;
      case QueueName.Deadlines:
        return this.deadlines;
      case QueueName.DispatchSms:
        return this.sms;
      case QueueName.DispatchSmsPages:
        return this.smsPagesQueue;
      case QueueName.DispatchPublicSms:
        return this.publicSms;
      case QueueName.DispatchVoice:
        return this.voice;
      case QueueName.DispatchWebhook:
        return this.webhook;
      case QueueName.DispatchBroadcast:
        return this.broadcast;
      case QueueName.PublicWarnings:
        return this.publicWarnings;
      case QueueName.Notices:
        return this.notices;
    }
  }
}

/**
 * A job named N with its payload, the job's default options and its deterministic id (so adding the same work twice is
 * one job), and a priority or delay where it has one.
 */
function bulkJob<N extends JobName>(
  name: N,
  data: JobPayloads[N],
  id: string,
  opts: Pick<JobsOptions, 'priority' | 'delay'> = {},
): BulkJob {
  return { name, data, opts: { ...DEFAULT_JOB_OPTIONS[name], jobId: id, ...opts } };
}
