import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, NotFoundError } from '@app/common';
import type { ResolvedSpec } from '@app/config';
import { CallTasksRepository, EventLog, inRegionSql } from '@app/database';
import { JobProducer, SendJob } from '@app/queue';
import { CallPlanner, REMINDER_RUNG_BASE, strongestChannels } from '@app/calls';

export interface UnitAction {
  /** One warning, or null for every warning being tracked */
  warningId: string | null;
  /** A county, town or village code inside the caller's region */
  unit: string;
  regionCode: string;
  actor: string;
}

/**
 * What the commander does from the board to a unit's silent people: call them again now on the strongest channels
 * of their tier (counted as their next reminder), or hand them to the duty desk's phone queue (电话叫应).
 */
@Injectable()
export class BoardActions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly callTasks: CallTasksRepository,
    private readonly planner: CallPlanner,
    private readonly jobs: JobProducer,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async recall(a: UnitAction): Promise<{ calls: number; messages: number }> {
    const now = this.clock.now();
    const { calls, sends } = await this.dataSource.transaction(async (tx) => {
      // The warnings first (shared), as every writer adding messages to a warning does: a lift waits or wins.
      await tx.query(
        `SELECT 1 FROM warnings w WHERE w.state = 'tracking' AND ($1::uuid IS NULL OR w.id = $1::uuid) ORDER BY w.id FOR SHARE`,
        [a.warningId],
      );
      const rows = await this.callTasks.recallSilentIn<ResolvedSpec>(tx, a, now);
      const groups = new Map<string, typeof rows>();
      for (const r of rows) {
        const key = `${r.warning_id}/${r.tier}/${r.reminders}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      const planned: SendJob[] = [];
      for (const list of groups.values()) {
        const [first] = list;
        planned.push(
          ...(await this.planner.createAttempts(
            tx,
            list.map((r) => r.id),
            REMINDER_RUNG_BASE + first.reminders,
            strongestChannels(first.spec, first.tier),
            first.level,
          )),
        );
      }
      await this.events.append(
        rows.map((r) => ({
          type: 'CallRecalled',
          warningId: r.warning_id,
          callTaskId: r.id,
          actor: a.actor,
          data: { reminder: r.reminders, unit: a.unit },
        })),
        tx,
      );
      return { calls: rows.length, sends: planned };
    });
    await this.jobs.send(sends);
    return { calls, messages: sends.length };
  }

  async handOver(a: UnitAction): Promise<{ calls: number }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const rows = await this.callTasks.handOverSilentIn(tx, a, now);
      await this.events.append(
        rows.map((r) => ({
          type: 'ManualCallRequired',
          warningId: r.warning_id,
          callTaskId: r.id,
          actor: a.actor,
          data: { reason: 'commander', unit: a.unit },
        })),
        tx,
      );
      return { calls: rows.length };
    });
  }

  /** 404 unless the unit lies in the caller's region and the warning (when named) is tracked there. */
  async assertUnit(a: UnitAction): Promise<void> {
    const [row] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM admin_units u WHERE u.code = $1 AND ($2 = '500000' OR u.code LIKE $2 || '%')
         AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM warnings w WHERE w.id = $3::uuid AND ${inRegionSql('w', '$2')}))`,
      [a.unit, a.regionCode, a.warningId],
    );
    if (!row) {
      throw new NotFoundError(`unit ${a.unit} not found in your region（单位不存在或不在您的辖区）`);
    }
  }
}
