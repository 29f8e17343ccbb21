import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, MAX_LADDER_RUNGS, JobName, JobPayloads, QueueName, jobId, queueForChannel } from './queue.constants';

export interface SendJob {
  attemptId: string;
  channel: string;
  level: number | null;
}

export interface CheckJob {
  callTaskId: string;
  step: number | 'deadline';
  dueAt: Date;
}

/** The only place that adds jobs. Payloads carry ids; PostgreSQL holds the truth. */
@Injectable()
export class JobProducer {
  constructor(
    @InjectQueue(QueueName.Matching) private readonly matching: Queue,
    @InjectQueue(QueueName.DispatchEmail) private readonly email: Queue,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
  ) {}

  async matchWarning(warningId: string, level: number | null): Promise<void> {
    await this.add(this.matching, JobName.MatchWarning, { warningId }, { jobId: jobId.match(warningId), priority: level ?? 5 });
  }

  async send(jobs: SendJob[]): Promise<void> {
    const byQueue = new Map<QueueName, SendJob[]>();
    for (const job of jobs) {
      const name = queueForChannel(job.channel);
      byQueue.set(name, [...(byQueue.get(name) ?? []), job]);
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

  /** For the sweep: a job that failed for good is retried, a missing one added, a live one left alone. */
  async resend(jobs: SendJob[]): Promise<void> {
    const missing: SendJob[] = [];
    for (const j of jobs) {
      const existing = await this.queue(queueForChannel(j.channel)).getJob(jobId.send(j.attemptId));
      if (!existing) {
        missing.push(j);
      } else if (await existing.isFailed()) {
        await existing.retry();
      }
    }
    await this.send(missing);
  }

  /** Delayed checks: a ladder rung or the answer deadline of one call task. */
  async scheduleChecks(checks: CheckJob[], now: Date): Promise<void> {
    for (let i = 0; i < checks.length; i += 1000) {
      await this.deadlines.addBulk(
        checks.slice(i, i + 1000).map((c) => ({
          name: JobName.CheckCallTask,
          data: { callTaskId: c.callTaskId, step: c.step, dueAt: c.dueAt.toISOString() },
          opts: {
            ...DEFAULT_JOB_OPTIONS[JobName.CheckCallTask],
            jobId: jobId.check(c.callTaskId, c.step),
            delay: Math.max(0, c.dueAt.getTime() - now.getTime()),
          },
        })),
      );
    }
  }

  /** Best effort: the check re-reads PostgreSQL anyway, so a job left behind is harmless. */
  async cancelChecks(callTaskId: string): Promise<void> {
    const steps: Array<number | 'deadline'> = ['deadline', ...Array.from({ length: MAX_LADDER_RUNGS }, (_, i) => i + 1)];
    await Promise.all(steps.map((s) => this.deadlines.remove(jobId.check(callTaskId, s)).catch(() => 0)));
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
    }
  }
}
