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
    const byQueue = new Map<QueueName, SendJob[]>();
    for (const job of jobs) {
      const name = queueForChannel(job.channel);
      const list = byQueue.get(name) ?? [];
      list.push(job);
      byQueue.set(name, list);
    }
    for (const [name, list] of byQueue) {
      for (let i = 0; i < list.length; i += 1000) {
        await this.queue(name).addBulk(
          list.slice(i, i + 1000).map((j) => ({
            name: JobName.SendAttempt,
            data: { attemptId: j.attemptId },
            opts: { ...DEFAULT_JOB_OPTIONS[JobName.SendAttempt], jobId: jobId.send(j.attemptId), priority: j.level ?? 5 },
          })),
        );
      }
    }
  }

  /**
   * For the sweep (PostgreSQL says these are still queued): a job that failed for good, or completed without
   * sending (it found the row claimed by a worker that then died), runs again; a missing one is added; a live one
   * is left alone.
   */
  async resend(jobs: SendJob[]): Promise<void> {
    const missing: SendJob[] = [];
    for (const j of jobs) {
      const existing = await this.queue(queueForChannel(j.channel)).getJob(jobId.send(j.attemptId));
      const state = existing ? await existing.getState() : 'missing';
      if (!existing) {
        missing.push(j);
      } else if (state === 'failed' || state === 'completed') {
        await existing.retry(state);
      }
    }
    await this.send(missing);
  }

  /** Residents' public warnings of a matched warning (area SMS, loudspeakers): planned at once, after commit. */
  async planPublicWarning(warningId: string, level: number | null): Promise<void> {
    await this.add(this.publicWarnings, JobName.PlanPublicWarning, { warningId }, { jobId: jobId.publicWarning(warningId), priority: priorityForLevel(level) });
  }

  async sendPublicSms(batches: Array<{ batchId: string; level: number | null }>): Promise<void> {
    await this.addChunked(this.sms, batches.map((b) => ({
      name: JobName.SendPublicSms,
      data: { batchId: b.batchId },
      opts: { ...DEFAULT_JOB_OPTIONS[JobName.SendPublicSms], jobId: jobId.publicSms(b.batchId), priority: priorityForLevel(b.level) },
    })));
  }

  async playBroadcasts(jobs: Array<{ broadcastJobId: string; level: number | null }>): Promise<void> {
    await this.addChunked(this.broadcast, jobs.map((b) => ({
      name: JobName.PlayBroadcast,
      data: { broadcastJobId: b.broadcastJobId },
      opts: { ...DEFAULT_JOB_OPTIONS[JobName.PlayBroadcast], jobId: jobId.broadcast(b.broadcastJobId), priority: priorityForLevel(b.level) },
    })));
  }

  private async addChunked(queue: Queue, jobs: Array<{ name: string; data: object; opts: JobsOptions }>): Promise<void> {
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
