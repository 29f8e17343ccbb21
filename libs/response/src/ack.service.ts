import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError } from '@app/common';
import type { AckMethod, AckResponse, CallReason } from '@app/database';
import { EventLog, callReasonsSql } from '@app/database';
import { AckLinks } from './ack-links';
import { lockTaskWithWarning } from './deadline.service';
import { Escalator } from './escalator';
import { PeerNotices } from './peer-notices';
import { PerformanceLog } from './performance-log';
import { ResponseJobs } from './response-jobs';

export interface AckInput {
  response: AckResponse;
  note?: string | null;
  headCount?: number | null;
}

export interface AckResult {
  callTaskId: string;
  alreadyAcknowledged: boolean;
  late: boolean;
  response: AckResponse;
  acknowledgedAt: Date;
}

export interface CallView {
  callTaskId: string;
  personName: string;
  state: string;
  tier: number;
  deadlineAt: Date | null;
  reasons: CallReason[];
  acknowledgement: { response: AckResponse; at: Date; late: boolean } | null;
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
  };
}

const CLOSED_STATES = ['cancelled', 'superseded'];

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
    private readonly performance: PerformanceLog,
    private readonly peers: PeerNotices,
    private readonly jobs: ResponseJobs,
  ) {}

  /** What the link page shows. Opening is recorded, but it is not an answer. */
  async view(token: string): Promise<CallView> {
    const claims = this.links.verify(token);
    const view = await this.load(this.dataSource.manager, claims.sub, claims.per);
    await this.events.append({ type: 'AckLinkOpened', warningId: view.warning.id, callTaskId: view.callTaskId, actor: `person:${claims.per}` });
    return view;
  }

  async acknowledgeByToken(token: string, input: AckInput, method: AckMethod = 'link'): Promise<AckResult> {
    const claims = this.links.verify(token);
    return this.acknowledge(claims.sub, claims.per, input, method, `person:${claims.per}`);
  }

  async acknowledge(callTaskId: string, personId: string, input: AckInput, method: AckMethod, actor: string): Promise<AckResult> {
    const now = this.clock.now();
    const outcome = await this.dataSource.transaction(async (tx) => {
      const task = await lockTaskWithWarning<{ id: string; warning_id: string; person_id: string; state: string; warning_state: string }>(
        tx,
        callTaskId,
        `t.id, t.warning_id, t.person_id, t.state, w.state AS warning_state`,
      );
      if (!task || task.person_id !== personId) {
        throw new NotFoundError('确认链接无效。(unknown call)');
      }
      const [existing] = await tx.query<Array<{ response: AckResponse; late: boolean; acknowledged_at: Date }>>(
        `SELECT response, late, acknowledged_at FROM acknowledgements WHERE call_task_id = $1`,
        [task.id],
      );
      if (existing) {
        return { task, already: true, late: existing.late, response: existing.response, at: existing.acknowledged_at };
      }
      if (CLOSED_STATES.includes(task.state)) {
        throw new ConflictError('该预警已更新或解除，此次叫应已结束，无需再确认。(call closed)');
      }
      const late = task.state === 'escalated';
      await tx.query(
        `INSERT INTO acknowledgements (call_task_id, person_id, method, response, note, head_count, late, acknowledged_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [task.id, task.person_id, method, input.response, input.note ?? null, input.headCount ?? null, late, now],
      );
      await tx.query(
        `UPDATE call_tasks SET state = 'acknowledged', acknowledged_at = $2, updated_at = $2 WHERE id = $1`,
        [task.id, now],
      );
      await tx.query(`UPDATE attempts SET status = 'cancelled', updated_at = $2 WHERE call_task_id = $1 AND status = 'queued'`, [
        task.id,
        now,
      ]);
      await this.events.append(
        {
          type: late ? 'CallAcknowledgedLate' : 'CallAcknowledged',
          warningId: task.warning_id,
          callTaskId: task.id,
          actor,
          data: { method, response: input.response, headCount: input.headCount ?? undefined, note: input.note ?? undefined },
        },
        tx,
      );
      const kind = input.response === 'cannot_comply' ? 'cannot_comply' : late ? 'answered_late' : 'answered';
      await this.performance.record(tx, [{ kind, callTaskId: task.id, detail: { method, response: input.response, note: input.note ?? undefined } }], now);
      const tracking = task.warning_state === 'tracking';
      const follow = input.response === 'cannot_comply' && tracking ? await this.escalator.escalate(tx, task.id, 'cannot_comply', now) : null;
      const notices = tracking && input.response !== 'cannot_comply' ? await this.peers.write(tx, task.id, input.response, now) : [];
      return { task, already: false, late, response: input.response, at: now, follow, notices };
    });
    if (!outcome.already) {
      if ('follow' in outcome && outcome.follow) {
        await this.escalator.enqueue(outcome.follow, now);
      }
      if ('notices' in outcome && outcome.notices) {
        await this.jobs.sendNotices(outcome.notices);
      }
      this.logger.log({ msg: 'call acknowledged', callTaskId, method, late: outcome.late });
    }
    return {
      callTaskId,
      alreadyAcknowledged: outcome.already,
      late: outcome.late,
      response: outcome.response,
      acknowledgedAt: outcome.at,
    };
  }

  /** For console routes: the call task's person, if that person sits in the caller's region; otherwise not found. */
  async personOfTask(callTaskId: string, regionCode: string): Promise<string> {
    const [row] = /^[0-9a-f-]{36}$/i.test(callTaskId)
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
              a.response AS ack_response, a.acknowledged_at AS ack_at, a.late AS ack_late,
              w.id AS w_id, w.headline, w.event, w.colour, w.description, w.instruction, w.area_desc, w.is_drill,
              w.state AS w_state, w.sent
       FROM call_tasks t JOIN persons p ON p.id = t.person_id JOIN warnings w ON w.id = t.warning_id
       LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       WHERE t.id = $1 AND t.person_id = $2`,
      [callTaskId, personId],
    );
    if (!row) {
      throw new NotFoundError('确认链接无效。(unknown call)');
    }
    return {
      callTaskId: row.id as string,
      personName: row.person_name as string,
      state: row.state as string,
      tier: row.tier as number,
      deadlineAt: row.deadline_at as Date | null,
      reasons: row.reasons as CallReason[],
      acknowledgement: row.ack_response
        ? { response: row.ack_response as AckResponse, at: row.ack_at as Date, late: row.ack_late as boolean }
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
      },
    };
  }
}
