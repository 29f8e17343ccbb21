import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError } from '@app/common';
import type { AckMethod } from '@app/database';
import { CallTasksRepository, EventLog, isWithdrawn, ResidentConfirmationsRepository } from '@app/database';
import { AckLinks } from '@app/calls';
import { AckService } from './ack.service';

export interface ResidentStatus {
  id: string;
  label: string;
  groupType: string;
  informedAt: Date | null;
  evacuationArrangedAt: Date | null;
}

export interface ResidentInput {
  informed?: boolean;
  evacuationArranged?: boolean;
  note?: string | null;
}

/**
 * The vulnerable residents a call task answers for: those named in its own one-to-one reasons, and those of a
 * one-to-one caller whose call was escalated to it (the person sent to reach them instead).
 */
const RESIDENTS_OF_TASK = `
  SELECT DISTINCT r.id, r.label, r.group_type FROM call_tasks t
  JOIN call_tasks src ON src.id = t.id OR src.id = t.escalated_from_task_id
    OR src.id IN (SELECT e.from_task_id FROM escalations e WHERE e.to_task_id = t.id)
  CROSS JOIN LATERAL jsonb_array_elements(src.reasons) reason
  JOIN special_residents r ON reason->>'kind' = 'one_to_one' AND r.id::text = reason->>'targetId'
  WHERE t.id = $1`;

/** 一对一叫应 per resident: 已当面告知 / 已安排转移. When every resident of a call is informed, the call counts as answered. */
@Injectable()
export class ResidentConfirmations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly confirmations: ResidentConfirmationsRepository,
    private readonly links: AckLinks,
    private readonly acks: AckService,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly callTasks: CallTasksRepository,
  ) {}

  async list(callTaskId: string, manager: EntityManager = this.dataSource.manager): Promise<ResidentStatus[]> {
    return manager.query<ResidentStatus[]>(
      `SELECT r.id, r.label, r.group_type AS "groupType", c.informed_at AS "informedAt",
              c.evacuation_arranged_at AS "evacuationArrangedAt"
       FROM (${RESIDENTS_OF_TASK}) r
       LEFT JOIN resident_confirmations c ON c.call_task_id = $1 AND c.special_resident_id = r.id ORDER BY r.label`,
      [callTaskId],
    );
  }

  async confirmByToken(token: string, residentId: string, input: ResidentInput): Promise<ResidentStatus[]> {
    const claims = this.links.verify(token);
    return this.confirm(claims.sub, claims.per, residentId, input, 'link', `person:${claims.per}`);
  }

  async confirm(
    callTaskId: string,
    personId: string | null,
    residentId: string,
    input: ResidentInput,
    method: AckMethod,
    actor: string,
  ): Promise<ResidentStatus[]> {
    if (!input.informed && !input.evacuationArranged) {
      throw new ConflictError('请至少选择“已当面告知”或“已安排转移”之一 (nothing to confirm)');
    }
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx) => {
      const task = await this.callTasks.lockWithWarning<{
        id: string;
        person_id: string;
        warning_id: string;
        state: string;
      }>(tx, callTaskId, `t.id, t.person_id, t.warning_id, t.state`);
      if (!task || (personId && task.person_id !== personId)) {
        throw new NotFoundError('叫应任务不存在 (unknown call)');
      }
      if (isWithdrawn(task.state)) {
        throw new ConflictError('该预警已更新或解除，此次叫应已结束。(call closed)');
      }
      const residents = await this.list(callTaskId, tx);
      if (!residents.some((r) => r.id === residentId)) {
        throw new NotFoundError('此人不在您的一对一叫应名单中 (resident not on this call)');
      }
      await this.confirmations.confirm(tx, {
        callTaskId: task.id,
        residentId,
        warningId: task.warning_id,
        informed: !!input.informed,
        evacuationArranged: !!input.evacuationArranged,
        note: input.note ?? null,
        actor,
        at: now,
      });
      await this.events.append(
        {
          type: 'ResidentConfirmed',
          warningId: task.warning_id,
          callTaskId: task.id,
          actor,
          data: { residentId, ...input },
        },
        tx,
      );
      return { task, residents: await this.list(callTaskId, tx) };
    });
    if (result.residents.every((r) => r.informedAt)) {
      const arranged = result.residents.every((r) => r.evacuationArrangedAt);
      await this.acks
        .acknowledge(
          callTaskId,
          result.task.person_id,
          { response: arranged ? 'evacuating' : 'received', note: '一对一叫应：名单内人员均已告知' },
          method,
          actor,
        )
        .catch((e: unknown) => {
          if (!(e instanceof ConflictError)) {
            throw e;
          }
        });
    }
    return result.residents;
  }
}
