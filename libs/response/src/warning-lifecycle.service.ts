import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError, waitFor } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import {
  AttemptsRepository,
  CallTasksRepository,
  DispatchesRepository,
  EventLog,
  inRegionSql,
  NoticesRepository,
  WarningsRepository,
  whileStoppingChain,
} from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, PlannedWork, Escalator } from '@app/calls';

export type StopMode = 'superseded' | 'lifted' | 'expired';

// UPDATE … RETURNING is wrapped in a CTE: TypeORM's query() answers a bare UPDATE with [rows, count], not rows.
const EVENT: Record<StopMode, string> = {
  superseded: 'WarningSuperseded',
  lifted: 'WarningLifted',
  expired: 'WarningExpired',
};

/**
 * What Update, Cancel, an officer's lift and expiry do to calls and timers. A lift (Cancel, officer, expiry) first
 * holds the chain's stop barrier, so no message of the chain can be claimed any more, and waits, outside any
 * transaction, for the messages already claimed to come back from their provider; then one transaction takes the
 * chain's warning rows exclusively (every writer of calls and messages holds them shared, see CallTasksRepository.lockWithWarning),
 * cancels queued messages and closes the open calls. So no message of a lifted version reaches a provider after the
 * commit. An Update supersedes without the barrier: the new version calls again anyway. A lift then sends the 解除
 * notice to everyone called.
 */
@Injectable()
export class WarningLifecycle {
  private readonly logger = new Logger(WarningLifecycle.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly attempts: AttemptsRepository,
    private readonly callTasks: CallTasksRepository,
    private readonly notices: NoticesRepository,
    private readonly warnings: WarningsRepository,
    private readonly dispatches: DispatchesRepository,
    private readonly planner: CallPlanner,
    private readonly escalator: Escalator,
    private readonly events: EventLog,
    private readonly jobs: JobProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * In the ingest transaction (chain rows already locked): earlier versions stop; a Cancel plans the lift notices.
   * `drained`: the transaction runs in liftSafely for this chain.
   */
  async closeEarlier(
    tx: EntityManager,
    chainId: string,
    newId: string,
    mode: 'superseded' | 'lifted',
    now: Date,
    drained: boolean,
  ): Promise<PlannedWork | null> {
    const stopped = await this.stop(tx, chainId, newId, mode, now, drained);
    return mode === 'lifted' && stopped.length > 0 ? this.planLiftNotices(tx, newId, now) : null;
  }

  /** After commit, for whatever closeEarlier planned; and the expiry timer of a new live version. */
  async afterIngest(
    work: PlannedWork | null,
    version: { id: string; expiresAt: Date | null; live: boolean },
  ): Promise<void> {
    const now = this.clock.now();
    if (work) {
      await this.jobs.enqueuePlanned(work, now);
    }
    if (version.live && version.expiresAt) {
      await this.jobs.scheduleExpiry(version.id, version.expiresAt, now);
    }
  }

  /** 解除 by a duty officer (POST /warnings/:id/lift): a cancel version is added to the chain, audited. */
  async liftByOfficer(
    warningId: string,
    regionCode: string,
    actor: string,
    note: string | null,
  ): Promise<{ liftVersionId: string; noticed: number }> {
    const [w] = await this.dataSource.query<Array<{ chain_id: string }>>(
      `SELECT w.chain_id FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
      [warningId, regionCode],
    );
    if (!w) {
      throw new NotFoundError(`warning ${warningId} not found（预警不存在）`);
    }
    const now = this.clock.now();
    const result = await this.liftSafely(w.chain_id, async (tx) => {
      const live = await this.lockLiveVersion(tx, w.chain_id);
      if (!live) {
        throw new ConflictError('该预警已解除、过期或被更新为解除状态，无需再次解除 (warning is not live)');
      }
      const liftId = await this.addLiftVersion(tx, live, 'officer', `【解除】${live.headline}`, note ?? '', now);
      await this.stop(tx, w.chain_id, liftId, 'lifted', now, true);
      await this.events.append(
        { type: 'WarningLiftedByOfficer', warningId: live.id, actor, data: { liftVersionId: liftId, note } },
        tx,
      );
      return { liftId, work: await this.planLiftNotices(tx, liftId, now) };
    });
    await this.jobs.enqueuePlanned(result.work, now);
    return { liftVersionId: result.liftId, noticed: result.work.taskIds.size };
  }

  /** The expiry job: lifts the version if PostgreSQL still says it is live and its expires_at has passed. */
  async expire(warningId: string): Promise<JobOutcome> {
    const [w] = await this.dataSource.query<Array<{ chain_id: string }>>(
      `SELECT chain_id FROM warnings WHERE id = $1`,
      [warningId],
    );
    if (!w) {
      return 'skipped';
    }
    const now = this.clock.now();
    const work = await this.liftSafely(w.chain_id, async (tx) => {
      const live = await this.lockLiveVersion(tx, w.chain_id);
      if (!live || live.id !== warningId || !live.expires_at || live.expires_at.getTime() > now.getTime()) {
        return null;
      }
      const liftId = await this.addLiftVersion(
        tx,
        live,
        live.source,
        `【到期解除】${live.headline}`,
        '预警有效期已到，自动解除。',
        now,
      );
      await this.stop(tx, live.chain_id, liftId, 'expired', now, true);
      return this.planLiftNotices(tx, liftId, now);
    });
    if (!work) {
      return 'skipped';
    }
    await this.jobs.enqueuePlanned(work, now);
    return 'done';
  }

  /**
   * Runs `lift`, the transaction that lifts a chain, behind the chain's stop barrier once its messages in flight have
   * come back from their providers. Ingest runs a Cancel's whole transaction through this too.
   */
  liftSafely<T>(chainId: string, lift: (tx: EntityManager) => Promise<T>): Promise<T> {
    return whileStoppingChain(this.dataSource, chainId, async (manager) => {
      await this.drainInFlight(manager, chainId);
      return manager.transaction(lift);
    });
  }

  private async lockLiveVersion(tx: EntityManager, chainId: string) {
    const rows = await tx.query<
      Array<{
        id: string;
        chain_id: string;
        source: string;
        sender: string;
        identifier: string;
        sent: Date;
        headline: string;
        state: string;
        expires_at: Date | null;
      }>
    >(
      `SELECT id, chain_id, source, sender, identifier, sent, headline, state, expires_at FROM warnings
       WHERE chain_id = $1 ORDER BY version FOR UPDATE`,
      [chainId],
    );
    return rows.filter((r) => ['received', 'matching', 'tracking'].includes(r.state)).pop() ?? null;
  }

  private addLiftVersion(
    tx: EntityManager,
    live: { id: string; sender: string; identifier: string; sent: Date },
    source: string,
    headline: string,
    description: string,
    now: Date,
  ): Promise<string> {
    return this.warnings.addLiftVersion(tx, live.id, {
      source,
      sent: now,
      headline,
      description,
      references: `${live.sender},${live.identifier},${live.sent.toISOString()}`,
    });
  }

  /**
   * `drained`: behind the chain's stop barrier after drainInFlight, so every claim still 'sending' is one whose sender
   * is done with it (it timed out, or died): all are cancelled. (Judged by `now`, taken before the drain, some would
   * count as fresh and stay 'sending' after the commit.) Otherwise only claims older than SWEEP_STALE_MS are.
   */
  private async stop(
    tx: EntityManager,
    chainId: string,
    exceptId: string,
    mode: StopMode,
    now: Date,
    drained: boolean,
  ): Promise<string[]> {
    const ids = await this.warnings.endOthersInChain(tx, chainId, exceptId, mode);
    if (ids.length === 0) {
      return ids;
    }
    const staleSecs = drained ? null : this.config.sweep.staleMs / 1000;
    // Queued messages, and claims whose sender is gone (a live sender gives up at the provider timeout).
    const cancelled = await this.attempts.cancelUnsentFor(tx, ids, `warning ${mode}`, now, staleSecs);
    // Notices about these versions (督办, 已由他人应答, 无匹配对象) that have not left are moot now.
    const notices = await this.notices.cancelUnsentFor(tx, ids, `warning ${mode}`, now, staleSecs);
    const taskState = mode === 'superseded' ? 'superseded' : 'cancelled';
    const tasks = await this.callTasks.closeOpenFor(tx, ids, taskState, now);
    await this.events.append(
      ids.map((id) => ({
        type: EVENT[mode],
        warningId: id,
        data: {
          by: exceptId,
          callsClosed: tasks.length,
          messagesCancelled: cancelled.length,
          noticesCancelled: notices.length,
        },
      })),
      tx,
    );
    this.logger.log({
      msg: `warning ${mode}`,
      warningIds: ids,
      callsClosed: tasks.length,
      messagesCancelled: cancelled.length,
      noticesCancelled: notices.length,
    });
    return ids;
  }

  /**
   * Behind the barrier no message of the chain is claimed any more; the ones claimed before are at their provider.
   * Wait until each has its answer or its claim is older than SWEEP_STALE_MS: a sender gives up at the provider
   * timeout, far sooner, so an older claim belongs to a sender that is gone and sends nothing more. A claim kept after
   * a timeout is waited for too: a request that timed out while queued in our own HTTP client was seen reaching the
   * carrier after the commit when the lift did not wait for it. Polled on the barrier's own connection, in no
   * transaction: the senders' status writes wait for nothing of ours.
   */
  private async drainInFlight(manager: EntityManager, chainId: string): Promise<void> {
    const staleSecs = this.config.sweep.staleMs / 1000;
    await waitFor(
      async () => {
        const [row] = await manager.query<Array<{ n: number }>>(
          `SELECT (SELECT count(*)::int FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id JOIN warnings w ON w.id = t.warning_id
                   WHERE w.chain_id = $1 AND a.status = 'sending' AND a.claimed_at > now() - make_interval(secs => $2))
                + (SELECT count(*)::int FROM notices n JOIN warnings w ON w.id = n.warning_id
                   WHERE w.chain_id = $1 AND n.status = 'sending' AND n.claimed_at > now() - make_interval(secs => $2)) AS n`,
          [chainId, staleSecs],
        );
        return row.n === 0;
      },
      // Cannot run out: every claim counted ages out of the condition within SWEEP_STALE_MS.
      {
        timeoutMs: this.config.sweep.staleMs + 5_000,
        intervalMs: 20,
        what: 'messages in flight of the lifted warning',
      },
    );
  }

  /** The 解除 notice: a notify-only call task in the lift version's own dispatch for everyone called in the chain. */
  private async planLiftNotices(tx: EntityManager, liftId: string, now: Date): Promise<PlannedWork> {
    const [last] = await tx.query<Array<{ spec: ResolvedSpec; level: number | null }>>(
      `SELECT d.spec, l.level FROM warnings l JOIN warnings w ON w.chain_id = l.chain_id AND w.id <> l.id
       JOIN dispatches d ON d.warning_id = w.id WHERE l.id = $1 ORDER BY w.version DESC LIMIT 1`,
      [liftId],
    );
    if (!last) {
      return { taskIds: new Map(), sends: [], checks: [] };
    }
    const people = await tx.query<Array<{ person_id: string; reasons: CallReason[] }>>(
      `SELECT DISTINCT ON (t.person_id) t.person_id, t.reasons FROM call_tasks t JOIN warnings w ON w.id = t.warning_id
       JOIN warnings l ON l.chain_id = w.chain_id AND l.id = $1 WHERE w.id <> l.id ORDER BY t.person_id, w.version DESC`,
      [liftId],
    );
    const dispatchId = await this.dispatches.create(tx, liftId, last.spec, people.length);
    const work = await this.planner.create(
      tx,
      { warningId: liftId, dispatchId, level: last.level, spec: last.spec, now },
      people.map((p) => ({ personId: p.person_id, tier: 0, reasons: p.reasons, escalationPath: [], notifyOnly: true })),
    );
    await this.events.append(
      { type: 'LiftNoticeIssued', warningId: liftId, data: { recipients: work.taskIds.size } },
      tx,
    );
    return work;
  }
}
