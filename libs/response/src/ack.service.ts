import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, countAnswer, NotFoundError } from '@app/common';
import { JobProducer } from '@app/queue';
import type { AckMethod, AckResponse, CallReason, VersionChange } from '@app/database';
import { AckLinks, Escalator, PeerNotices } from '@app/calls';
import {
  CallTasksRepository,
  EventLog,
  callReasonsSql,
  isWithdrawn,
  versionChangeSql,
  writeFirstAnswers,
} from '@app/database';
import { AckBatcher, AckInput, AnsweredCall, FirstAnswer, firstAnswerRow, refusal } from './ack-batcher';
import { CallProgress, ProgressEntry } from './call-progress';

export type { AckInput } from './ack-batcher';

export interface AckResult {
  callTaskId: string;
  alreadyAcknowledged: boolean;
  late: boolean;
  /** The first answer (the one that counts); a later press is `progress`. */
  response: AckResponse;
  acknowledgedAt: Date;
  /** 无法履职 passed the call on to backup and 包干 superior (false when there was nobody to pass it to). */
  escalated: boolean;
  /** A progress report after the first answer (已到岗, 已组织转移 with a head count). */
  progress: ProgressEntry | null;
}

export interface CallView {
  callTaskId: string;
  personName: string;
  state: string;
  tier: number;
  deadlineAt: Date | null;
  reasons: CallReason[];
  acknowledgement: { response: AckResponse; at: Date; late: boolean; headCount: number | null } | null;
  /** Progress reported after the first answer, oldest first. */
  progress: ProgressEntry[];
  /**
   * When the answer deadline passed without an answer (the first escalation of the call, or its deadline if that
   * lies in the past), as of when the page was made; null when not overdue or answered.
   */
  overdueSince: Date | null;
  now: Date;
  warning: {
    id: string;
    headline: string;
    event: string;
    colour: string | null;
    description: string;
    instruction: string;
    areaDesc: string;
    isDrill: boolean;
    state: string;
    sent: Date;
    /** A lift (解除) version: the page shows the lift and takes at most 已收到. */
    isLift: boolean;
    /** What this version changed against the one before (升级 / 降级 / 范围调整 / 更新 / 解除). */
    change: VersionChange | null;
  };
}

const UUID = /^[0-9a-f-]{36}$/i;

/** A repeat changes nothing: the first answer, as recorded. */
function repeatResult(callTaskId: string, first: { response: AckResponse; late: boolean; at: Date }): AckResult {
  const { response, late, at } = first;
  return {
    callTaskId,
    alreadyAcknowledged: true,
    late,
    response,
    acknowledgedAt: at,
    escalated: false,
    progress: null,
  };
}

/** Answers to call tasks. The first answer wins; a repeat is harmless; an answer after escalation is marked late. */
@Injectable()
export class AckService {
  private readonly logger = new Logger(AckService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: AckLinks,
    private readonly events: EventLog,
    private readonly escalator: Escalator,
    private readonly clock: Clock,
    private readonly peers: PeerNotices,
    private readonly jobs: JobProducer,
    private readonly batcher: AckBatcher,
    private readonly progress: CallProgress,
    private readonly callTasks: CallTasksRepository,
  ) {}

  /** What the link page shows. Opening is recorded, but it is not an answer. */
  async view(token: string): Promise<CallView> {
    const claims = this.links.verify(token);
    const view = await this.load(this.dataSource.manager, claims.sub, claims.per);
    await this.events.append({
      type: 'AckLinkOpened',
      warningId: view.warning.id,
      callTaskId: view.callTaskId,
      actor: `person:${claims.per}`,
    });
    return view;
  }

  async acknowledgeByToken(token: string, input: AckInput, method: AckMethod = 'link'): Promise<AckResult> {
    const claims = this.links.verify(token);
    return this.acknowledge(claims.sub, claims.per, input, method, `person:${claims.per}`);
  }

  async acknowledge(
    callTaskId: string,
    personId: string,
    input: AckInput,
    method: AckMethod,
    actor: string,
  ): Promise<AckResult> {
    const now = this.clock.now();
    const answer: FirstAnswer = { callTaskId, personId, input, method, actor, now };
    // Plain answers and their repeats are checked by the batch itself; the others are looked up for a repeat first.
    const batched = AckBatcher.takes(input) && UUID.test(callTaskId);
    const repeat = batched ? null : await this.repeatOf(callTaskId, personId, input);
    if (repeat) {
      return repeat;
    }
    if (batched) {
      const verdict = await this.batcher.submit(answer);
      if (verdict.kind === 'refused') {
        throw verdict.error;
      }
      if (verdict.kind === 'repeat') {
        return repeatResult(callTaskId, verdict);
      }
      if (verdict.kind === 'recorded') {
        if (verdict.peers) {
          await this.peers.schedule(verdict.warningId);
        }
        countAnswer(method, input.response, verdict.late, (now.getTime() - verdict.plannedAt.getTime()) / 1000);
        this.logger.log({ msg: 'call acknowledged', callTaskId, method, late: verdict.late });
        return {
          callTaskId,
          alreadyAcknowledged: false,
          late: verdict.late,
          response: input.response,
          acknowledgedAt: now,
          escalated: false,
          progress: null,
        };
      }
    }
    const outcome = await this.dataSource.transaction(async (tx) => {
      // The call, locked; then its answer, if any, by a statement of its own, which sees an answer committed while
      // the lock was awaited (a join in the locking statement would not).
      const task = await this.callTasks.lockWithWarning<AnsweredCall & { reasons: CallReason[] }>(
        tx,
        callTaskId,
        `t.id, t.warning_id, t.person_id, t.state, w.state AS warning_state, w.msg_type, t.reasons, t.created_at`,
      );
      const [answered] = task
        ? await tx.query<Array<{ response: AckResponse; late: boolean; acknowledged_at: Date }>>(
            `SELECT response, late, acknowledged_at FROM acknowledgements WHERE call_task_id = $1`,
            [callTaskId],
          )
        : [];
      const refused = refusal(task, answer, !!answered);
      if (refused || !task) {
        throw refused as Error;
      }
      const existing = answered ?? null;
      if (existing) {
        const step = input.response === 'on_post' || input.response === 'evacuating' ? input.response : null;
        const open = !isWithdrawn(task.state) && task.warning_state === 'tracking';
        const progress =
          step && open
            ? await this.progress.record(
                tx,
                { ...task, first_response: existing.response },
                { step, headCount: input.headCount ?? null, note: input.note ?? null },
                now,
              )
            : null;
        if (progress) {
          await this.events.append(
            {
              type: 'CallProgressReported',
              warningId: task.warning_id,
              callTaskId: task.id,
              actor,
              data: { method, ...progress },
            },
            tx,
          );
        }
        return {
          task,
          already: true,
          late: existing.late,
          response: existing.response,
          at: existing.acknowledged_at,
          progress,
        };
      }
      const tracking = task.warning_state === 'tracking';
      const peers = this.peers.wanted(input.response, tracking);
      const row = firstAnswerRow(task, answer, peers);
      await writeFirstAnswers(tx, [row]);
      if (input.response === 'evacuating' && input.headCount && tracking) {
        await this.progress.reportToEvacuation(tx, task, input.headCount, now);
      }
      const follow =
        input.response === 'cannot_comply' && tracking
          ? await this.escalator.escalate(tx, task.id, 'cannot_comply', now)
          : null;
      return { task, already: false, late: row.late, response: input.response, at: now, follow, peers, progress: null };
    });
    if (!outcome.already) {
      if ('follow' in outcome && outcome.follow) {
        await this.jobs.enqueuePlanned(outcome.follow, now);
      }
      if ('peers' in outcome && outcome.peers) {
        await this.peers.schedule(outcome.task.warning_id);
      }
      countAnswer(method, outcome.response, outcome.late, (now.getTime() - outcome.task.created_at.getTime()) / 1000);
      this.logger.log({ msg: 'call acknowledged', callTaskId, method, late: outcome.late });
    }
    return {
      callTaskId,
      alreadyAcknowledged: outcome.already,
      late: outcome.late,
      response: outcome.response,
      acknowledgedAt: outcome.at,
      escalated: 'follow' in outcome && !!outcome.follow && outcome.follow.taskIds.size > 0,
      progress: outcome.progress,
    };
  }

  /**
   * A repeat of an answer already recorded (a second press, a reload, a retrying app) changes nothing: answered from
   * one read, without a transaction or a lock. Progress (已到岗, 已组织转移) and anything unusual take the full path.
   */
  private async repeatOf(callTaskId: string, personId: string, input: AckInput): Promise<AckResult | null> {
    if (input.response === 'on_post' || input.response === 'evacuating' || !UUID.test(callTaskId)) {
      return null;
    }
    const [row] = await this.dataSource.query<
      Array<{ response: AckResponse; late: boolean; acknowledged_at: Date; person_id: string; msg_type: string }>
    >(
      `SELECT a.response, a.late, a.acknowledged_at, t.person_id, w.msg_type FROM acknowledgements a
       JOIN call_tasks t ON t.id = a.call_task_id JOIN warnings w ON w.id = t.warning_id WHERE a.call_task_id = $1`,
      [callTaskId],
    );
    if (!row || row.person_id !== personId || (row.msg_type === 'cancel' && input.response !== 'received')) {
      return null;
    }
    return repeatResult(callTaskId, { response: row.response, late: row.late, at: row.acknowledged_at });
  }

  /** For console routes: the call task's person, if that person sits in the caller's region; otherwise not found. */
  async personOfTask(callTaskId: string, regionCode: string): Promise<string> {
    const [row] = UUID.test(callTaskId)
      ? await this.dataSource.query<Array<{ person_id: string }>>(
          `SELECT t.person_id FROM call_tasks t JOIN persons p ON p.id = t.person_id
           WHERE t.id = $1 AND ($2 = '500000' OR p.admin_unit_code LIKE $2 || '%')`,
          [callTaskId, regionCode],
        )
      : [];
    if (!row) {
      throw new NotFoundError(`call ${callTaskId} not found（叫应任务不存在）`);
    }
    return row.person_id;
  }

  private async load(manager: EntityManager, callTaskId: string, personId: string): Promise<CallView> {
    const [row] = await manager.query<Array<Record<string, unknown>>>(
      `SELECT t.id, t.state, t.tier, t.deadline_at, ${callReasonsSql('t')} AS reasons, p.name AS person_name,
              (SELECT min(e.at) FROM escalations e WHERE e.from_task_id = t.id) AS escalated_at,
              a.response AS ack_response, a.acknowledged_at AS ack_at, a.late AS ack_late, a.head_count AS ack_head_count,
              w.id AS w_id, w.headline, w.event, w.colour, w.description, w.instruction, w.area_desc, w.is_drill,
              w.state AS w_state, w.sent, w.msg_type, ${versionChangeSql('w')} AS change
       FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
       LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       WHERE t.id = $1 AND t.person_id = $2`,
      [callTaskId, personId],
    );
    if (!row) {
      throw new NotFoundError('确认链接无效。(unknown call)');
    }
    const now = this.clock.now();
    const deadlineAt = row.deadline_at as Date | null;
    return {
      callTaskId: row.id as string,
      now,
      overdueSince:
        row.ack_response || isWithdrawn(row.state as string)
          ? null
          : ((row.escalated_at as Date | null) ??
            (deadlineAt !== null && deadlineAt.getTime() < now.getTime() ? deadlineAt : null)),
      progress: await this.progress.of(manager, row.id as string),
      personName: row.person_name as string,
      state: row.state as string,
      tier: row.tier as number,
      deadlineAt: row.deadline_at as Date | null,
      reasons: row.reasons as CallReason[],
      acknowledgement: row.ack_response
        ? {
            response: row.ack_response as AckResponse,
            at: row.ack_at as Date,
            late: row.ack_late as boolean,
            headCount: row.ack_head_count as number | null,
          }
        : null,
      warning: {
        id: row.w_id as string,
        headline: row.headline as string,
        event: row.event as string,
        colour: row.colour as string | null,
        description: row.description as string,
        instruction: row.instruction as string,
        areaDesc: row.area_desc as string,
        isDrill: row.is_drill as boolean,
        state: row.w_state as string,
        sent: row.sent as Date,
        isLift: row.msg_type === 'cancel',
        change: row.change as VersionChange | null,
      },
    };
  }
}
