import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { CheckJob, groupChecks } from './check-groups';
import {
  DEFAULT_JOB_OPTIONS,
  JobName,
  JobPayloads,
  QueueName,
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
  sends?: SendJob[];
  publicPlans?: Array<{ warningId: string; level: number | null }>;
  publicSms?: Array<{ batchId: string; level: number | null }>;
  broadcasts?: Array<{ broadcastJobId: string; level: number | null }>;
  notices?: string[];
}

type BulkJob = { name: string; data: object; opts: JobsOptions };

/** The only place that adds jobs. Payloads carry ids; PostgreSQL holds the truth. */
@Injectable()
export class JobProducer {
  constructor(
    @InjectQueue(QueueName.Matching) private readonly matching: Queue,
    @InjectQueue(QueueName.DispatchEmail) private readonly email: Queue,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
    @InjectQueue(QueueName.DispatchSms) private readonly sms: Queue,
    @InjectQueue(QueueName.DispatchVoice) private readonly voice: Queue,
    @InjectQueue(QueueName.DispatchWebhook) private readonly webhook: Queue,
    @InjectQueue(QueueName.DispatchBroadcast) private readonly broadcast: Queue,
    @InjectQueue(QueueName.PublicWarnings) private readonly publicWarnings: Queue,
    @InjectQueue(QueueName.Notices) private readonly notices: Queue,
  ) {}

  async matchWarning(warningId: string, level: number | null): Promise<void> {
    await this.add(this.matching, JobName.MatchWarning, { warningId }, { jobId: jobId.match(warningId), priority: level ?? 5 });
  }

  async send(jobs: SendJob[]): Promise<void> {
    for (const [queue, list] of this.sendJobsByQueue(jobs)) {
      await this.addChunked(queue, list);
    }
  }

  /** Residents' public warnings of a matched warning (area SMS, loudspeakers): planned at once, after commit. */
  async planPublicWarning(warningId: string, level: number | null): Promise<void> {
    await this.addChunked(this.publicWarnings, [this.publicPlanJob(warningId, level)]);
  }

  async sendPublicSms(batches: Array<{ batchId: string; level: number | null }>): Promise<void> {
    await this.addChunked(this.sms, batches.map((b) => this.publicSmsJob(b.batchId, b.level)));
  }

  async playBroadcasts(jobs: Array<{ broadcastJobId: string; level: number | null }>): Promise<void> {
    await this.addChunked(this.broadcast, jobs.map((b) => this.broadcastJob(b.broadcastJobId, b.level)));
  }

  /** Notify-only notices (outbox rows in `notices`), after the commit that wrote them. */
  async sendNotices(noticeIds: string[]): Promise<void> {
    await this.addChunked(this.notices, noticeIds.map((id) => this.noticeJob(id)));
  }

  /**
   * For the sweep, with work PostgreSQL says is still to do: a job that failed for good, or completed without doing it
   * (it found its row claimed by a worker that then died), runs again; a missing one is added; a live one is left alone.
   */
  async rerun(work: StrandedWork): Promise<void> {
    for (const [queue, list] of this.sendJobsByQueue(work.sends ?? [])) {
      await this.ensure(queue, list);
    }
    await this.ensure(this.publicWarnings, (work.publicPlans ?? []).map((w) => this.publicPlanJob(w.warningId, w.level)));
    await this.ensure(this.sms, (work.publicSms ?? []).map((b) => this.publicSmsJob(b.batchId, b.level)));
    await this.ensure(this.broadcast, (work.broadcasts ?? []).map((b) => this.broadcastJob(b.broadcastJobId, b.level)));
    await this.ensure(this.notices, (work.notices ?? []).map((id) => this.noticeJob(id)));
  }

  private sendJobsByQueue(jobs: SendJob[]): Map<Queue, BulkJob[]> {
    const byQueue = new Map<Queue, BulkJob[]>();
    for (const j of jobs) {
      const queue = this.queue(queueForChannel(j.channel));
      const list = byQueue.get(queue) ?? [];
      list.push({
        name: JobName.SendAttempt,
        data: { attemptId: j.attemptId },
        opts: { ...DEFAULT_JOB_OPTIONS[JobName.SendAttempt], jobId: jobId.send(j.attemptId), priority: priorityForLevel(j.level) },
      });
      byQueue.set(queue, list);
    }
    return byQueue;
  }

  private publicPlanJob(warningId: string, level: number | null): BulkJob {
    return {
      name: JobName.PlanPublicWarning,
      data: { warningId },
      opts: { ...DEFAULT_JOB_OPTIONS[JobName.PlanPublicWarning], jobId: jobId.publicWarning(warningId), priority: priorityForLevel(level) },
    };
  }

  private publicSmsJob(batchId: string, level: number | null): BulkJob {
    return {
      name: JobName.SendPublicSms,
      data: { batchId },
      opts: { ...DEFAULT_JOB_OPTIONS[JobName.SendPublicSms], jobId: jobId.publicSms(batchId), priority: priorityForLevel(level) },
    };
  }

  private broadcastJob(broadcastJobId: string, level: number | null): BulkJob {
    return {
      name: JobName.PlayBroadcast,
      data: { broadcastJobId },
      opts: { ...DEFAULT_JOB_OPTIONS[JobName.PlayBroadcast], jobId: jobId.broadcast(broadcastJobId), priority: priorityForLevel(level) },
    };
  }

  private noticeJob(noticeId: string): BulkJob {
    return { name: JobName.SendNotice, data: { noticeId }, opts: { ...DEFAULT_JOB_OPTIONS[JobName.SendNotice], jobId: jobId.notice(noticeId) } };
  }

  private async ensure(queue: Queue, jobs: BulkJob[]): Promise<void> {
    const missing: BulkJob[] = [];
    for (const j of jobs) {
      const existing = await queue.getJob(j.opts.jobId as string);
      const state = existing ? await existing.getState() : 'missing';
      if (!existing) {
        missing.push(j);
      } else if (state === 'failed' || state === 'completed') {
        await existing.retry(state);
      }
    }
    await this.addChunked(queue, missing);
  }

  private async addChunked(queue: Queue, jobs: BulkJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 1000) {
      await queue.addBulk(jobs.slice(i, i + 1000));
    }
  }

  /** Delayed checks (ladder rungs, answer deadlines), one job per group of timers due together (check-groups.ts). */
  async scheduleChecks(checks: CheckJob[], now: Date): Promise<void> {
    await this.addChunked(this.deadlines, groupChecks(checks).map((g) => ({
      name: JobName.CheckCallTasks,
      data: { callTaskIds: g.callTaskIds, step: g.step, dueAt: g.dueAt.toISOString() },
      opts: {
        ...DEFAULT_JOB_OPTIONS[JobName.CheckCallTasks],
        jobId: jobId.checks(g.step, g.dueAt, g.callTaskIds),
        delay: Math.max(0, g.dueAt.getTime() - now.getTime()),
      },
    })));
  }

  private async add<N extends JobName>(queue: Queue, name: N, data: JobPayloads[N], opts: JobsOptions): Promise<void> {
    await queue.add(name, data, { ...DEFAULT_JOB_OPTIONS[name], ...opts });
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
