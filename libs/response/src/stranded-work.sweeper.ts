import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CheckJob, JobProducer, StrandedWork } from '@app/queue';

export interface SweepReport {
  warnings: number;
  attempts: number;
  deadlines: number;
  /** Later ladder rungs (the voice call after the SMS) whose time passed without the rung running. */
  rungs: number;
  /** Residents' public warnings: plans never made, area SMS batches and loudspeaker orders not yet out. */
  publicPlans: number;
  publicSms: number;
  broadcasts: number;
  /** Notices (who answered, orders …) still queued or left mid-send. */
  notices: number;
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
    await this.producer.rerun({ sends: attempts.map((a) => ({ attemptId: a.id, channel: a.channel, level: a.level })) });
    const timers = await this.overdueTimers(before, now);
    await this.producer.scheduleChecks([...timers.deadlines, ...timers.rungs], now);
    const residents = await this.publicWarnings(before);
    await this.producer.rerun(residents);
    await this.dataSource.query(`UPDATE notices SET status = 'queued' WHERE status = 'sending' AND updated_at < $1`, [before]);
    const notices = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM notices WHERE status = 'queued' AND updated_at < $1 LIMIT 10000`,
      [before],
    );
    await this.producer.rerun({ notices: notices.map((n) => n.id) });
    const report = {
      warnings: warnings.length,
      attempts: attempts.length,
      deadlines: timers.deadlines.length,
      rungs: timers.rungs.length,
      publicPlans: residents.publicPlans.length,
      publicSms: residents.publicSms.length,
      broadcasts: residents.broadcasts.length,
      notices: notices.length,
    };
    if (Object.values(report).some((n) => n > 0)) {
      this.logger.warn({ msg: 'sweep re-enqueued stranded work', ...report });
    }
    return report;
  }

  /** Calls of live warnings whose answer deadline, escalation round or next ladder rung passed without its check. */
  private async overdueTimers(before: Date, now: Date): Promise<{ deadlines: CheckJob[]; rungs: CheckJob[] }> {
    const deadlines = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT t.id FROM call_tasks t JOIN warnings w ON w.id = t.warning_id
       WHERE (t.state IN ('pending','sent','unreachable')
              OR (t.state = 'escalated' AND t.escalation_step > 0 AND t.escalation_step < jsonb_array_length(t.escalation_path)))
         AND t.requires_ack AND t.deadline_at < $1 AND w.state = 'tracking'
       LIMIT 10000`,
      [before],
    );
    // The tier's ladder as frozen in the dispatch (timer-rules.ts): rung n is due at created_at + ladderMs[n].atMs.
    const rungs = await this.dataSource.query<Array<{ id: string; step: number }>>(
      `SELECT t.id, t.next_rung AS step FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id
       CROSS JOIN LATERAL (SELECT d.spec->'tiers'->LEAST(t.tier, jsonb_array_length(d.spec->'tiers') - 1)->'ladderMs' AS ladder) l
       WHERE t.state IN ('pending','sent') AND t.requires_ack AND w.state = 'tracking'
         AND t.next_rung < jsonb_array_length(l.ladder)
         AND t.created_at + (l.ladder->t.next_rung->>'atMs')::bigint * interval '1 millisecond' < $1
       LIMIT 10000`,
      [before],
    );
    return {
      deadlines: deadlines.map((t) => ({ callTaskId: t.id, step: 'deadline', dueAt: now })),
      rungs: rungs.map((t) => ({ callTaskId: t.id, step: t.step, dueAt: now })),
    };
  }

  /** Public warnings of live warnings: matched but never planned, or planned with batches or orders still not out. */
  private async publicWarnings(before: Date): Promise<Required<Pick<StrandedWork, 'publicPlans' | 'publicSms' | 'broadcasts'>>> {
    const publicPlans = await this.dataSource.query<Array<{ warningId: string; level: number | null }>>(
      `SELECT w.id AS "warningId", w.level FROM warnings w JOIN dispatches d ON d.warning_id = w.id
       WHERE w.state = 'tracking' AND coalesce((d.spec->>'publicBroadcast')::boolean, false) AND d.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.warning_id = w.id AND e.type = 'PublicWarningIssued')
       LIMIT 1000`,
      [before],
    );
    const stale = <K extends string>(table: string, id: K) => this.dataSource.query<Array<Record<K, string> & { level: number | null }>>(
      `SELECT x.id AS "${id}", w.level FROM ${table} x JOIN public_notices n ON n.id = x.notice_id JOIN warnings w ON w.id = n.warning_id
       WHERE x.status IN ('queued', 'sending') AND x.updated_at < $1 AND w.state = 'tracking' LIMIT 10000`,
      [before],
    );
    return {
      publicPlans,
      publicSms: await stale('public_sms_batches', 'batchId'),
      broadcasts: await stale('broadcast_jobs', 'broadcastJobId'),
    };
  }
}
