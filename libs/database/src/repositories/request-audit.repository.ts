import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A state-changing request, once answered: who tried what from where. */
export interface RequestAuditRow {
  actor: string;
  method: string;
  path: string;
  status: number;
  ip: string;
}

/** The only writer of `request_audit`: one row per state-changing request of a signed-in person or an API key. */
@Injectable()
export class RequestAuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(row: RequestAuditRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO request_audit (actor, method, path, status, ip) VALUES ($1, $2, $3, $4, $5)`,
      [row.actor, row.method, row.path, row.status, row.ip],
    );
  }
}
