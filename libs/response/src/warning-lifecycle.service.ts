import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError, waitFor } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec } from '@app/config';
import type { CallReason } from '@app/database';
import { EventLog, inRegionSql } from '@app/database';
import { JobOutcome } from '@app/queue';
import { CallPlanner, PlannedWork } from './call-planner';
import { Escalator } from './escalator';
import { ResponseJobs } from './response-jobs';

export type StopMode = 'superseded' | 'lifted' | 'expired';

const LIVE = `('received','matching','tracking')`;
/** How long a lift waits for messages already handed to a provider before it commits (bounded). */
const DRAIN_TIMEOUT_MS = 15_000;

// UPDATE … RETURNING is wrapped in a CTE: TypeORM's query() answers a bare UPDATE with [rows, count], not rows.
const EVENT: Record<StopMode, string> = { superseded: 'WarningSuperseded', lifted: 'WarningLifted', expired: 'WarningExpired' };

/**
 * What Update, Cancel, an officer's lift and expiry do to calls and timers. Stopping takes the chain's warning rows
 * exclusively (every writer of calls and messages holds them shared, see lockTaskWithWarning), cancels queued
 * messages, waits for messages already being sent to finish, then closes the open calls, all before the commit:
 * no message of a stopped version leaves after the commit. A lift then sends the 解除 notice to everyone called.
 */
@Injectable()
export class WarningLifecycle {
  private readonly logger = new Logger(WarningLifecycle.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly planner: CallPlanner,
    private readonly escalator: Escalator,
    private readonly events: EventLog,
    private readonly jobs: ResponseJobs,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In the ingest transaction (chain rows already locked): earlier versions stop; a Cancel plans the lift notices. */
  async closeEarlier(tx: EntityManager, chainId: string, newId: string, mode: 'superseded' | 'lifted', now: Date): Promise<PlannedWork | null> {
    const stopped = await this.stop(tx, chainId, newId, mode, now);
    return mode === 'lifted' && stopped.length > 0 ? this.planLiftNotices(tx, newId, now) : null;
  }

  /** After commit, for whatever closeEarlier planned; and the expiry timer of a new live version. */
  async afterIngest(work: PlannedWork | null, version: { id: string; expiresAt: Date | null; live: boolean }): Promise<void> {
    const now = this.clock.now();
    if (work) {
      await this.escalator.enqueue(work, now);
    }
    if (version.live && version.expiresAt) {
      await this.jobs.scheduleExpiry(version.id, version.expiresAt, now);
    }
  }

  /** 解除 by a duty officer (POST /warnings/:id/lift): a cancel version is added to the chain, audited. */
  async liftByOfficer(warningId: string, regionCode: string, actor: string, note: string | null): Promise<{ liftVersionId: string; noticed: number }> {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<Array<{ chain_id: string }>>(
        `SELECT w.chain_id FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
        [warningId, regionCode],
      );
      if (!w) {
        throw new NotFoundError(`warning ${warningId} not found（预警不存在）`);
      }
      const live = await this.lockLiveVersion(tx, w.chain_id);
      if (!live) {
        throw new ConflictError('该预警已解除、过期或被更新为解除状态，无需再次解除 (warning is not live)');
      }
      const liftId = await this.addLiftVersion(tx, live, 'officer', `【解除】${live.headline}`, note ?? '', now);
      await this.stop(tx, w.chain_id, liftId, 'lifted', now);
      await this.events.append({ type: 'WarningLiftedByOfficer', warningId: live.id, actor, data: { liftVersionId: liftId, note } }, tx);
      return { liftId, work: await this.planLiftNotices(tx, liftId, now) };
    });
    await this.escalator.enqueue(result.work, now);
    return { liftVersionId: result.liftId, noticed: result.work.taskIds.size };
  }

  /** The expiry job: lifts the version if PostgreSQL still says it is live and its expires_at has passed. */
  async expire(warningId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const work = await this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<Array<{ chain_id: string }>>(`SELECT chain_id FROM warnings WHERE id = $1`, [warningId]);
      const live = w ? await this.lockLiveVersion(tx, w.chain_id) : null;
      if (!live || live.id !== warningId || !live.expires_at || live.expires_at.getTime() > now.getTime()) {
        return null;
      }
      const liftId = await this.addLiftVersion(tx, live, live.source, `【到期解除】${live.headline}`, '预警有效期已到，自动解除。', now);
      await this.stop(tx, live.chain_id, liftId, 'expired', now);
      return this.planLiftNotices(tx, liftId, now);
    });
    if (!work) {
      return 'skipped';
    }
    await this.escalator.enqueue(work, now);
    return 'done';
  }

  private async lockLiveVersion(tx: EntityManager, chainId: string) {
    const rows = await tx.query<Array<{
      id: string; chain_id: string; source: string; sender: string; identifier: string; sent: Date; headline: string;
      state: string; expires_at: Date | null;
    }>>(
      `SELECT id, chain_id, source, sender, identifier, sent, headline, state, expires_at FROM warnings
       WHERE chain_id = $1 ORDER BY version FOR UPDATE`,
      [chainId],
    );
    return rows.filter((r) => ['received', 'matching', 'tracking'].includes(r.state)).pop() ?? null;
  }

  private async addLiftVersion(
    tx: EntityManager,
    live: { id: string; sender: string; identifier: string; sent: Date },
    source: string,
    headline: string,
    description: string,
    now: Date,
  ): Promise<string> {
    const [row] = await tx.query<Array<{ id: string }>>(
      `INSERT INTO warnings (chain_id, version, source, sender, identifier, sent, msg_type, status, hazard_type, event, level,
          colour, severity, headline, description, instruction, language, area_desc, area_geom, area_codes, "references",
          onset, expires_at, state, is_drill)
       SELECT chain_id, (SELECT max(version) + 1 FROM warnings v WHERE v.chain_id = w.chain_id), $2, sender,
          left(identifier, 230) || '-lift', $3, 'cancel', status, hazard_type, event, level, colour, severity, left($4, 300), $5, '',
          language, area_desc, area_geom, area_codes, $6, onset, NULL, 'lifted', is_drill
       FROM warnings w WHERE id = $1 RETURNING id`,
      [live.id, source, now, headline, description, `${live.sender},${live.identifier},${live.sent.toISOString()}`],
    );
    return row.id;
  }

  private async stop(tx: EntityManager, chainId: string, exceptId: string, mode: StopMode, now: Date): Promise<string[]> {
    const closed = await tx.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE warnings SET state = $3 WHERE chain_id = $1 AND id <> $2 AND state IN ${LIVE} RETURNING id) SELECT id FROM u`,
      [chainId, exceptId, mode],
    );
    const ids = closed.map((c) => c.id);
    if (ids.length === 0) {
      return ids;
    }
    const cancelled = await tx.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE attempts SET status = 'cancelled', error = $2, updated_at = $3
         WHERE (status = 'queued' OR (status = 'sending' AND updated_at < $3::timestamptz - make_interval(secs => $4)))
           AND call_task_id IN (SELECT id FROM call_tasks WHERE warning_id = ANY($1::uuid[])) RETURNING id)
       SELECT id FROM u`,
      [ids, `warning ${mode}`, now, this.config.sweep.staleMs / 1000],
    );
    if (mode !== 'superseded') {
      await this.drainInFlight(ids);
    }
    const taskState = mode === 'superseded' ? 'superseded' : 'cancelled';
    const tasks = await tx.query<Array<{ id: string }>>(
      `WITH u AS (UPDATE call_tasks SET state = $2, updated_at = $3
         WHERE warning_id = ANY($1::uuid[]) AND state IN ('pending','sent','unreachable') RETURNING id)
       SELECT id FROM u`,
      [ids, taskState, now],
    );
    await this.events.append(
      ids.map((id) => ({ type: EVENT[mode], warningId: id, data: { by: exceptId, callsClosed: tasks.length, messagesCancelled: cancelled.length } })),
      tx,
    );
    this.logger.log({ msg: `warning ${mode}`, warningIds: ids, callsClosed: tasks.length, messagesCancelled: cancelled.length });
    return ids;
  }

  /** Messages claimed before the stop are finishing at the provider; wait for them (bounded) so none lands after the commit. */
  private async drainInFlight(warningIds: string[]): Promise<void> {
    try {
      await waitFor(
        async () => {
          const [row] = await this.dataSource.query<Array<{ n: number }>>(
            `SELECT count(*)::int AS n FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id
             WHERE t.warning_id = ANY($1::uuid[]) AND a.status = 'sending' AND a.updated_at > now() - make_interval(secs => $2)`,
            [warningIds, this.config.sweep.staleMs / 1000],
          );
          return row.n === 0;
        },
        { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 20, what: 'in-flight messages of the stopped warning' },
      );
    } catch (e) {
      this.logger.warn({ msg: `lift went ahead with messages still in flight: ${(e as Error).message}`, warningIds });
    }
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
    const [dispatch] = await tx.query<Array<{ id: string }>>(
      `INSERT INTO dispatches (warning_id, spec, recipient_count) VALUES ($1, $2, $3) RETURNING id`,
      [liftId, JSON.stringify(last.spec), people.length],
    );
    const work = await this.planner.create(
      tx,
      { warningId: liftId, dispatchId: dispatch.id, level: last.level, spec: last.spec, now },
      people.map((p) => ({ personId: p.person_id, tier: 0, reasons: p.reasons, escalationPath: [], notifyOnly: true })),
    );
    await this.events.append({ type: 'LiftNoticeIssued', warningId: liftId, data: { recipients: work.taskIds.size } }, tx);
    return work;
  }
}
