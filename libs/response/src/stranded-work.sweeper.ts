import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, countRecovery, countSweep } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CheckJob, JobProducer, StrandedWork } from '@app/queue';
import {
  AttemptsRepository,
  DispatchesRepository,
  NoticesRepository,
  ON_LADDER_STATES_SQL,
  UNANSWERED_STATES_SQL,
} from '@app/database';

export interface SweepReport {
  warnings: number;
  /** Counties of a warning matched in chunks whose chunk is still not done (the matcher died, or its job was lost). */
  matchChunks: number;
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
  /** Reminders of unanswered calls whose time passed without the reminder running. */
  reminders: number;
  /** 督办 rounds that gathered but were never sent. */
  escalationNotices: number;
  /** Warnings with answers whose who-answered notices were never written. */
  peerNotices: number;
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
    private readonly attempts: AttemptsRepository,
    private readonly dispatches: DispatchesRepository,
    private readonly notices: NoticesRepository,
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
    // Through rerun, not a plain add: a matching job that failed for good is kept under the same id, and adding it
    // again would do nothing.
    // A warning split by county is tracking while its counties are matched: each chunk not done runs again.
    const matchChunks = await this.dispatches.openChunks(this.dataSource.manager, before);
    let rerun = (
      await this.producer.rerun({ matches: warnings.map((w) => ({ warningId: w.id, level: w.level })), matchChunks })
    ).jobs;
    // A claim that never finished (worker killed mid-send) goes back to the queue; the sender asks the provider first.
    const resetAttempts = await this.attempts.requeueStaleClaims(this.dataSource.manager, before);
    const attempts = await this.dataSource.query<Array<{ id: string; channel: string; level: number | null }>>(
      `SELECT a.id, a.channel, w.level FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
       JOIN warnings w ON w.id = t.warning_id WHERE a.status = 'queued' AND a.updated_at < $1 LIMIT 10000`,
      [before],
    );
    rerun += (
      await this.producer.rerun({
        sends: attempts.map((a) => ({ attemptId: a.id, channel: a.channel, level: a.level })),
      })
    ).jobs;
    // A timer is lost when its time passed SWEEP_TIMER_GRACE_MS ago and BullMQ holds no timer job due by then: while
    // the escalator works through timers due together, an overdue one is most likely in line, and putting it back
    // would only check it twice. A timer overdue by SWEEP_STALE_MS is put back anyway. Each goes back under its own
    // due time: the same timers make the same job ids, so one put back already is not added again.
    const grace = new Date(now.getTime() - this.config.sweep.timerGraceMs);
    const timers = await this.overdueTimers((await this.producer.timersInLine(grace)) > 0 ? before : grace);
    let restored = (
      await this.producer.rerun({ checks: { due: [...timers.deadlines, ...timers.rungs, ...timers.reminders], now } })
    ).timers;
    const gathered = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT n.id FROM escalation_notices n JOIN warnings w ON w.id = n.warning_id
       WHERE n.sent_at IS NULL AND n.updated_at < $1 AND w.state = 'tracking' LIMIT 10000`,
      [before],
    );
    await this.producer.scheduleEscalationNotices(
      gathered.map((n) => n.id),
      before,
      now,
    );
    restored += gathered.length;
    const peers = await this.dataSource.query<Array<{ warning_id: string }>>(
      `SELECT DISTINCT t.warning_id FROM acknowledgements a JOIN call_tasks t ON t.id = a.call_task_id
       WHERE a.peers_due AND a.acknowledged_at < $1 LIMIT 1000`,
      [before],
    );
    for (const p of peers) {
      await this.producer.notifyPeers(p.warning_id, now, 1);
    }
    rerun += peers.length;
    const residents = await this.publicWarnings(before);
    rerun += (await this.producer.rerun(residents)).jobs;
    const resetNotices = await this.notices.requeueStaleClaims(this.dataSource.manager, before);
    const notices = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM notices WHERE status = 'queued' AND updated_at < $1 LIMIT 10000`,
      [before],
    );
    rerun += (await this.producer.rerun({ notices: notices.map((n) => n.id) })).jobs;
    countRecovery(this.logger, 'claim_reset', resetAttempts + resetNotices, {
      attempts: resetAttempts,
      notices: resetNotices,
    });
    countRecovery(this.logger, 'job_rerun', rerun);
    countRecovery(this.logger, 'timer_restored', restored);
    const report = {
      warnings: warnings.length,
      matchChunks: matchChunks.length,
      attempts: attempts.length,
      deadlines: timers.deadlines.length,
      rungs: timers.rungs.length,
      publicPlans: residents.publicPlans.length,
      publicSms: residents.publicSms.length,
      broadcasts: residents.broadcasts.length,
      notices: notices.length,
      reminders: timers.reminders.length,
      escalationNotices: gathered.length,
      peerNotices: peers.length,
    };
    countSweep(report);
    if (Object.values(report).some((n) => n > 0)) {
      this.logger.log({ msg: 'sweep found work still to do', ...report });
    }
    return report;
  }

  /**
   * Calls of live warnings whose answer deadline, escalation round, next ladder rung or reminder passed before `before`
   * without its check, each under its own due time; someone without a contact is due at once (escalated at once).
   */
  private async overdueTimers(
    before: Date,
  ): Promise<{ deadlines: CheckJob[]; rungs: CheckJob[]; reminders: CheckJob[] }> {
    const deadlines = await this.dataSource.query<Array<{ id: string; due: Date }>>(
      `SELECT t.id, CASE WHEN t.state = 'unreachable' THEN t.created_at ELSE t.deadline_at END AS due
       FROM call_tasks t JOIN warnings w ON w.id = t.warning_id
       WHERE t.requires_ack AND w.state = 'tracking'
         AND ((t.state IN ${ON_LADDER_STATES_SQL} AND t.deadline_at < $1)
              OR (t.state = 'unreachable' AND t.created_at < $1)
              OR (t.state = 'escalated' AND t.escalation_step > 0 AND t.escalation_step <= jsonb_array_length(t.escalation_path)
                  AND t.deadline_at < $1))
       LIMIT 10000`,
      [before],
    );
    // The tier's ladder as frozen in the dispatch (timer-rules.ts): rung n is due at created_at + ladderMs[n].atMs.
    const rungs = await this.dataSource.query<Array<{ id: string; step: number; due: Date }>>(
      `SELECT t.id, t.next_rung AS step, t.created_at + (l.ladder->t.next_rung->>'atMs')::bigint * interval '1 millisecond' AS due
       FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN dispatches d ON d.id = t.dispatch_id
       CROSS JOIN LATERAL (SELECT d.spec->'tiers'->LEAST(t.tier, jsonb_array_length(d.spec->'tiers') - 1)->'ladderMs' AS ladder) l
       WHERE t.state IN ${ON_LADDER_STATES_SQL} AND t.requires_ack AND w.state = 'tracking'
         AND t.next_rung < jsonb_array_length(l.ladder)
         AND t.created_at + (l.ladder->t.next_rung->>'atMs')::bigint * interval '1 millisecond' < $1
       LIMIT 10000`,
      [before],
    );
    const reminders = await this.dataSource.query<Array<{ id: string; due: Date }>>(
      `SELECT t.id, t.reminder_due_at AS due FROM call_tasks t JOIN warnings w ON w.id = t.warning_id
       WHERE t.state IN ${UNANSWERED_STATES_SQL} AND t.requires_ack AND t.reminder_due_at < $1 AND w.state = 'tracking'
       LIMIT 10000`,
      [before],
    );
    return {
      deadlines: deadlines.map((t) => ({ callTaskId: t.id, step: 'deadline', dueAt: t.due })),
      rungs: rungs.map((t) => ({ callTaskId: t.id, step: t.step, dueAt: t.due })),
      reminders: reminders.map((t) => ({ callTaskId: t.id, step: 'reminder', dueAt: t.due })),
    };
  }

  /** Public warnings of live warnings: matched but never planned, or planned with batches or orders still not out. */
  private async publicWarnings(
    before: Date,
  ): Promise<Required<Pick<StrandedWork, 'publicPlans' | 'publicSms' | 'broadcasts'>>> {
    const publicPlans = await this.dataSource.query<Array<{ warningId: string; level: number | null }>>(
      `SELECT w.id AS "warningId", w.level FROM warnings w JOIN dispatches d ON d.warning_id = w.id
       WHERE w.state = 'tracking' AND coalesce((d.spec->>'publicBroadcast')::boolean, false) AND d.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.warning_id = w.id AND e.type = 'PublicWarningIssued')
       LIMIT 1000`,
      [before],
    );
    const stale = <K extends string>(table: string, id: K) =>
      this.dataSource.query<Array<Record<K, string> & { level: number | null }>>(
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
