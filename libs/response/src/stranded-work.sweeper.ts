import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JobProducer } from '@app/queue';

export interface SweepReport {
  warnings: number;
  attempts: number;
  deadlines: number;
}

/**
 * Closes the crash window between a commit and its enqueue, and recovers from a Redis that lost jobs:
 * PostgreSQL says what is due; deterministic job ids make re-enqueueing work that is still queued a no-op.
 */
@Injectable()
export class StrandedWorkSweeper {
  private readonly logger = new Logger(StrandedWorkSweeper.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.config.sweep.staleMs);
    const warnings = await this.dataSource.query<Array<{ id: string; level: number | null }>>(
      `SELECT id, level FROM warnings WHERE state = 'received' AND created_at < $1 LIMIT 1000`,
      [before],
    );
    for (const w of warnings) {
      await this.producer.matchWarning(w.id, w.level);
    }
    // A claim that never finished (worker killed mid-send) goes back to the queue: at most one duplicate.
    await this.dataSource.query(`UPDATE attempts SET status = 'queued' WHERE status = 'sending' AND updated_at < $1`, [before]);
    const attempts = await this.dataSource.query<Array<{ id: string; channel: string; level: number | null }>>(
      `SELECT a.id, a.channel, w.level FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
       JOIN warnings w ON w.id = t.warning_id WHERE a.status = 'queued' AND a.updated_at < $1 LIMIT 10000`,
      [before],
    );
    await this.producer.resend(attempts.map((a) => ({ attemptId: a.id, channel: a.channel, level: a.level })));
    const overdue = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT t.id FROM call_tasks t JOIN warnings w ON w.id = t.warning_id
       WHERE (t.state IN ('pending','sent','unreachable')
              OR (t.state = 'escalated' AND t.escalation_step > 0 AND t.escalation_step < jsonb_array_length(t.escalation_path)))
         AND t.requires_ack AND t.deadline_at < $1 AND w.state = 'tracking'
       LIMIT 10000`,
      [before],
    );
    await this.producer.scheduleChecks(
      overdue.map((t) => ({ callTaskId: t.id, step: 'deadline' as const, dueAt: now })),
      now,
    );
    const report = { warnings: warnings.length, attempts: attempts.length, deadlines: overdue.length };
    if (report.warnings + report.attempts + report.deadlines > 0) {
      this.logger.warn({ msg: 'sweep re-enqueued stranded work', ...report });
    }
    return report;
  }
}
