import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, countEscalation, Gate } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec, tierSpec } from '@app/config';
import { CallTasksRepository, EventLog, isDatabaseDown, isUnanswered, isUnescalatedUnanswered } from '@app/database';
import { CheckStep, JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, PlannedWork, mergeWork } from './call-planner';
import { ClimbBatch } from './climb-batch';
import { EscalationNotices } from './escalation-notices';
import { Escalator } from './escalator';
import { REMINDER_RUNG_BASE, reminderDue, reminderInterval, strongestChannels } from './timer-rules';

/** A further-escalation job may fire this early (timer granularity) and still count as due. */
const ROUND_TOLERANCE_MS = 250;

/** How many chunks of one job's call tasks are checked at once, each its own transaction. */
const LANES = 4;

const TASK_COLUMNS = `t.id, t.warning_id, t.person_id, t.state, t.tier, t.next_rung, t.requires_ack, t.escalation_step,
  t.deadline_at, t.reminders, t.reminder_due_at, t.overdue_since, w.level, jsonb_array_length(t.escalation_path) AS steps,
  w.state AS warning_state, d.spec`;

/** Counted once the escalation is committed: how long after its deadline the silent call was escalated. */
interface Escalated {
  reason: string;
  lateMs: number;
}

/**
 * Runs the delayed checks of call tasks whose timer of one step fell due together: the next ladder rung (retry on the
 * next channel), the answer deadline (escalate) or a reminder. Tasks are checked a chunk to a transaction (a whole job by default); an answered
 * or closed task, or one whose warning no longer tracks, is skipped, so late or repeated jobs are harmless. The work
 * they plan shares one clock reading, so it is enqueued once and its own timers again fall due together.
 */
@Injectable()
export class DeadlineService {
  private readonly logger = new Logger(DeadlineService.name);
  /**
   * Transactions of checks in flight, across every job the worker runs at once: half the pool, so the other half
   * stays for the rest (sending 督办, order checks). Without it, 50 jobs × 4 lanes queued for 6 connections and
   * waited past the pool's 5 s timeout under load.
   */
  private readonly gate: Gate;
  /**
   * Calls per transaction (DEADLINE_CHECK_CHUNK, 50: a whole job). With the chunk's statements set-based, one county's
   * wave went 532 → 755 → 995 escalations/s at 10, 25 and 50; an answer to a call being checked waits for the chunk.
   */
  private readonly chunk: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly callTasks: CallTasksRepository,
    private readonly planner: CallPlanner,
    private readonly escalator: Escalator,
    private readonly notices: EscalationNotices,
    private readonly jobs: JobProducer,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.gate = new Gate(Math.max(1, Math.floor(config.database.poolMax / 2)));
    this.chunk = config.timers.checkChunk;
  }

  async check(callTaskIds: string[], step: CheckStep): Promise<JobOutcome> {
    const now = this.clock.now();
    const works: PlannedWork[] = [];
    const failures: unknown[] = [];
    const chunks: string[][] = [];
    for (let i = 0; i < callTaskIds.length; i += this.chunk) {
      chunks.push(callTaskIds.slice(i, i + this.chunk));
    }
    let next = 0;
    const lane = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        const together =
          chunk.length > 1
            ? await this.checkTogether(chunk, step, now).catch((e: unknown) => {
                // PostgreSQL away: the other lanes go on, and what they planned is enqueued before the job fails.
                failures.push(...chunk.map(() => e));
                return 'failed' as const;
              })
            : null;
        if (together === 'failed') {
          continue;
        }
        if (together) {
          works.push(...together);
          continue;
        }
        for (const id of chunk) {
          try {
            const work = await this.checkAlone(id, step, now);
            if (work) {
              works.push(work);
            }
          } catch (e) {
            failures.push(e);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, chunks.length) }, lane));
    if (works.length > 0) {
      await this.jobs.enqueuePlanned(mergeWork(works), now);
    }
    if (failures.length > 0) {
      // The job runs again; the tasks done this time are skipped then.
      throw new AggregateError(
        failures,
        `${failures.length} of ${callTaskIds.length} checks failed: ${String(failures[0])}`,
      );
    }
    return works.length > 0 ? 'done' : 'skipped';
  }

  /**
   * A chunk of calls in one transaction: one statement locks them all and one commit ends it, where one per call
   * spent most of PostgreSQL's time on locking and committing. Null when any of them failed (a deadlock with another
   * chunk, a bad row): nothing of the chunk was written and the caller checks each alone. PostgreSQL being away
   * is thrown: checking each alone would fail the same way.
   */
  private async checkTogether(ids: string[], step: CheckStep, now: Date): Promise<PlannedWork[] | null> {
    const escalated: Escalated[] = [];
    try {
      const works = await this.gate.run(() =>
        this.dataSource.transaction(async (tx) => {
          const tasks = await this.callTasks.lockManyWithWarning<Task>(tx, ids, TASK_COLUMNS);
          const planned: PlannedWork[] = [];
          const batch = new ClimbBatch();
          const climbing = tasks.filter((t) => step === 'deadline' && dueToClimb(t, now));
          if (climbing.length > 0) {
            await this.escalator.preload(
              tx,
              batch,
              climbing.map((t) => t.id),
            );
          }
          for (const task of tasks) {
            const work = await this.checkLocked(tx, task, step, now, escalated, batch);
            if (work) {
              planned.push(work);
            }
          }
          // Last, just before the commit: a 督办 opened here holds back the other chunks climbing to its person.
          const opened = await this.escalator.flush(tx, batch, now);
          return opened.length > 0
            ? [...planned, { taskIds: new Map(), sends: [], checks: [], escalationNotices: opened }]
            : planned;
        }),
      );
      escalated.forEach((e) => countEscalation(e.reason, e.lateMs / 1000));
      return works;
    } catch (e) {
      if (isDatabaseDown(e)) {
        throw e;
      }
      this.logger.warn({ msg: 'a chunk of checks failed together; checking each alone', error: String(e) });
      return null;
    }
  }

  private async checkAlone(callTaskId: string, step: CheckStep, now: Date): Promise<PlannedWork | null> {
    const escalated: Escalated[] = [];
    const work = await this.gate.run(() =>
      this.dataSource.transaction(async (tx) => {
        const task = await this.callTasks.lockWithWarning<Task>(tx, callTaskId, TASK_COLUMNS);
        return task ? this.checkLocked(tx, task, step, now, escalated) : null;
      }),
    );
    escalated.forEach((e) => countEscalation(e.reason, e.lateMs / 1000));
    return work;
  }

  /**
   * One locked call at its timer: remind, escalate, or retry on the next rung; an answered or closed call, or one
   * whose warning no longer tracks, is left alone. Escalations are listed in `escalated`, counted once committed;
   * with `batch`, what the climbs write is left for the caller to flush (Escalator.escalate).
   */
  private async checkLocked(
    tx: EntityManager,
    task: Task,
    step: CheckStep,
    now: Date,
    escalated: Escalated[],
    batch?: ClimbBatch,
  ): Promise<PlannedWork | null> {
    if (step === 'reminder') {
      return this.remind(tx, task, now);
    }
    if (step === 'deadline') {
      if (!dueToClimb(task, now)) {
        return null;
      }
      const reason = task.state === 'unreachable' ? 'unreachable' : 'no_ack';
      const up = await this.escalator.escalate(tx, task.id, reason, now, batch);
      if (up) {
        escalated.push({ reason, lateMs: now.getTime() - (task.deadline_at ?? now).getTime() });
      }
      return up;
    }
    if (!task.requires_ack || !isUnescalatedUnanswered(task.state) || task.warning_state !== 'tracking') {
      return null;
    }
    const ladder = tierSpec(task.spec, task.tier).ladderMs;
    if (typeof step !== 'number' || task.state === 'unreachable' || task.next_rung > step || step >= ladder.length) {
      return null;
    }
    await this.callTasks.advanceRung(tx, task.id, step + 1, now);
    const sends = await this.planner.createAttempts(tx, [task.id], step, ladder[step].channels, task.level);
    await this.events.append(
      {
        type: 'CallRetried',
        warningId: task.warning_id,
        callTaskId: task.id,
        data: { rung: step, channels: sends.map((s) => s.channel) },
      },
      tx,
    );
    return { taskIds: new Map(), sends, checks: [] };
  }

  /**
   * A call still unanswered when its reminder falls due is made again on the tier's strongest channels (第N次提醒,
   * how long overdue: see the attempt's rung), and the next reminder is set one interval on. A person who answered a
   * 督办 of this warning during the interval is not reminded this time. Stale or repeated jobs find nothing due.
   */
  private async remind(tx: EntityManager, task: Task, now: Date): Promise<PlannedWork | null> {
    const due = task.reminder_due_at;
    if (
      !task.requires_ack ||
      !isUnanswered(task.state) ||
      task.warning_state !== 'tracking' ||
      !due ||
      !task.overdue_since ||
      due.getTime() > now.getTime() + ROUND_TOLERANCE_MS
    ) {
      return null;
    }
    const interval = reminderInterval(task.spec, task.tier);
    const paused = await this.notices.answeredSince(
      tx,
      task.warning_id,
      task.person_id,
      new Date(due.getTime() - interval),
    );
    const n = task.reminders + (paused ? 0 : 1);
    // The next one keeps to the call's own rhythm (overdue + k intervals), never in the past.
    let k = Math.max(1, Math.round((due.getTime() - task.overdue_since.getTime()) / interval) + 1);
    while (reminderDue(task.spec, task.tier, task.overdue_since, k).getTime() <= now.getTime()) {
      k++;
    }
    const next = reminderDue(task.spec, task.tier, task.overdue_since, k);
    await this.callTasks.recordReminder(tx, task.id, n, next, now);
    const sends = paused
      ? []
      : await this.planner.createAttempts(
          tx,
          [task.id],
          REMINDER_RUNG_BASE + n,
          strongestChannels(task.spec, task.tier),
          task.level,
        );
    await this.events.append(
      {
        type: paused ? 'CallReminderPaused' : 'CallReminded',
        warningId: task.warning_id,
        callTaskId: task.id,
        data: { reminder: n, channels: sends.map((s) => s.channel) },
      },
      tx,
    );
    return { taskIds: new Map(), sends, checks: [{ callTaskId: task.id, step: 'reminder', dueAt: next }] };
  }
}

/**
 * A call to climb at its deadline: still waited for and unanswered, its warning tracking. An escalated call still
 * silent at the deadline of the step it reached goes one step further (past the top: 电话叫应).
 */
function dueToClimb(task: Task, now: Date): boolean {
  const furtherRound =
    task.state === 'escalated' &&
    task.escalation_step > 0 &&
    task.escalation_step <= task.steps &&
    !!task.deadline_at &&
    task.deadline_at.getTime() <= now.getTime() + ROUND_TOLERANCE_MS;
  return (
    task.requires_ack && (isUnescalatedUnanswered(task.state) || furtherRound) && task.warning_state === 'tracking'
  );
}

interface Task {
  id: string;
  warning_id: string;
  person_id: string;
  state: string;
  tier: number;
  next_rung: number;
  level: number | null;
  steps: number;
  warning_state: string;
  spec: ResolvedSpec;
  requires_ack: boolean;
  escalation_step: number;
  deadline_at: Date | null;
  reminders: number;
  reminder_due_at: Date | null;
  overdue_since: Date | null;
}
