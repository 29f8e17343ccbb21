import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';

export interface NewEvent {
  type: string;
  warningId?: string | null;
  callTaskId?: string | null;
  actor?: string;
  data?: Record<string, unknown>;
  at?: Date;
}

/** The head of every insert into the event log; the rows follow (`SELECT …` or `VALUES …`). */
export const EVENT_INSERT_SQL = 'INSERT INTO events (warning_id, call_task_id, type, actor, data, at)';

/** Appends timeline/audit events, many in one statement; inside the caller's transaction when given one. */
@Injectable()
export class EventLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async append(events: NewEvent | NewEvent[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) {
      return;
    }
    const now = this.clock.now();
    await manager.query(
      `${EVENT_INSERT_SQL}
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::jsonb[], $6::timestamptz[])`,
      [
        list.map((e) => e.warningId ?? null),
        list.map((e) => e.callTaskId ?? null),
        list.map((e) => e.type),
        list.map((e) => e.actor ?? 'system'),
        list.map((e) => JSON.stringify(e.data ?? {})),
        list.map((e) => (e.at ?? now).toISOString()),
      ],
    );
  }
}
