import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, JobName, JobProducer, QueueName, jobId } from '@app/queue';

const delayUntil = (at: Date, now: Date) => Math.max(0, at.getTime() - now.getTime());

/** The jobs of this lib besides call checks: warning expiry, 熔断 order checks and notices. Ids only. */
@Injectable()
export class ResponseJobs {
  constructor(
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: Queue,
    private readonly producer: JobProducer,
  ) {}

  /** At expires_at the warning is lifted, if PostgreSQL still says it is live then. */
  async scheduleExpiry(warningId: string, expiresAt: Date, now: Date): Promise<void> {
    await this.deadlines.add(
      JobName.ExpireWarning,
      { warningId },
      { ...DEFAULT_JOB_OPTIONS[JobName.ExpireWarning], jobId: jobId.expire(warningId), delay: delayUntil(expiresAt, now) },
    );
  }

  async scheduleOrderChecks(checks: Array<{ orderTargetId: string; phase: 'ack' | 'execute'; dueAt: Date }>, now: Date): Promise<void> {
    await this.deadlines.addBulk(
      checks.map((c) => ({
        name: JobName.CheckOrderTarget,
        data: { orderTargetId: c.orderTargetId, phase: c.phase },
        opts: { ...DEFAULT_JOB_OPTIONS[JobName.CheckOrderTarget], jobId: jobId.orderCheck(c.orderTargetId, c.phase), delay: delayUntil(c.dueAt, now) },
      })),
    );
  }

  async sendNotices(noticeIds: string[]): Promise<void> {
    await this.producer.sendNotices(noticeIds);
  }
}
