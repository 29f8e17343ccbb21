import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, ConflictError, NotFoundError, ValidationError } from '@app/common';
import type { IssueState } from '@app/database';
import { EventLog, inRegionSql, IssueItemsRepository, WarningsRepository } from '@app/database';

export interface ClosureReport {
  chainId: string;
  calls: number;
  answeredOnTime: number;
  answeredLate: number;
  notAnswered: number;
  issuesCreated: number;
}

const NEXT: Record<IssueState, IssueState[]> = {
  open: ['rectifying'],
  rectifying: ['verified', 'open'],
  verified: ['closed', 'rectifying'],
  closed: [],
};

/**
 * Closure (闭环) of a lifted warning chain, and the problem list (问题清单) it leaves: every call that needed an answer
 * and got none in time becomes an item with an owner (the person's 包干 leader, else the county duty officer),
 * moved open → rectifying → verified → closed (销号).
 */
@Injectable()
export class ClosureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly issues: IssueItemsRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async close(warningId: string, regionCode: string, actor: string): Promise<ClosureReport> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<Array<{ chain_id: string }>>(
        `SELECT w.chain_id FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
        [warningId, regionCode],
      );
      if (!w) {
        throw new NotFoundError(`warning ${warningId} not found（预警不存在）`);
      }
      const versions = await tx.query<Array<{ id: string; state: string }>>(
        `SELECT id, state FROM warnings WHERE chain_id = $1 ORDER BY version FOR UPDATE`,
        [w.chain_id],
      );
      if (versions.some((v) => ['received', 'matching', 'tracking'].includes(v.state))) {
        throw new ConflictError('预警仍在生效，请先解除后再闭环 (warning still live: lift it first)');
      }
      if (versions.every((v) => v.state === 'closed' || v.state === 'superseded')) {
        throw new ConflictError('该预警已闭环 (already closed)');
      }
      const ids = versions.map((v) => v.id);
      const [open] = await tx.query<Array<{ orders: number; evacuations: number }>>(
        `SELECT (SELECT count(*) FROM orders WHERE warning_id = ANY($1::uuid[]) AND state <> 'lifted')::int AS orders,
                (SELECT count(*) FROM evacuations WHERE chain_id = $2 AND state <> 'return_authorised')::int AS evacuations`,
        [ids, w.chain_id],
      );
      if (open.orders > 0 || open.evacuations > 0) {
        throw new ConflictError(
          `闭环条件未满足：${open.orders} 个熔断指令未解除，${open.evacuations} 个转移点未批准返回 (lift orders and authorise returns first)`,
        );
      }
      const issues = await this.issues.addForClosure(tx, w.chain_id, ids, now);
      const [stats] = await tx.query<Array<Omit<ClosureReport, 'chainId' | 'issuesCreated'>>>(
        `SELECT count(*)::int AS calls,
                count(*) FILTER (WHERE a.id IS NOT NULL AND NOT a.late)::int AS "answeredOnTime",
                count(*) FILTER (WHERE a.late)::int AS "answeredLate",
                count(*) FILTER (WHERE a.id IS NULL)::int AS "notAnswered"
         FROM call_tasks t LEFT JOIN acknowledgements a ON a.call_task_id = t.id
         WHERE t.warning_id = ANY($1::uuid[]) AND t.requires_ack`,
        [ids],
      );
      await this.warnings.closeEnded(tx, ids);
      const report = { chainId: w.chain_id, ...stats, issuesCreated: issues.length };
      await this.events.append({ type: 'WarningClosed', warningId, actor, data: { ...report } }, tx);
      return report;
    });
  }

  async listIssues(regionCode: string, state?: string) {
    return this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT i.id, i.chain_id AS "chainId", i.warning_id AS "warningId", i.call_task_id AS "callTaskId", i.kind, i.title,
              i.state, i.unit_code AS "unitCode", p.name AS "personName", o.name AS "ownerName",
              i.owner_person_id AS "ownerPersonId", i.history, i.created_at AS "createdAt", i.closed_at AS "closedAt"
       FROM issue_items i LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons o ON o.id = i.owner_person_id
       WHERE i.unit_code LIKE $1 || '%' AND ($2::varchar IS NULL OR i.state = $2) ORDER BY i.created_at, i.id LIMIT 1000`,
      [regionCode === '500000' ? '' : regionCode, state ?? null],
    );
  }

  async moveIssue(id: string, to: IssueState, regionCode: string, actor: string, note: string | null) {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const item = await this.issues.lockInRegion(tx, id, regionCode === '500000' ? '' : regionCode);
      if (!item) {
        throw new NotFoundError(`issue ${id} not found（问题不存在）`);
      }
      if (!NEXT[item.state].includes(to)) {
        throw new ValidationError(
          `不能从“${item.state}”改为“${to}”；允许：${NEXT[item.state].join('、') || '（已销号）'} (invalid transition)`,
        );
      }
      const entry = { from: item.state, to, at: now.toISOString(), actor, note: note ?? undefined };
      await this.issues.move(tx, id, entry, now);
      await this.events.append(
        { type: 'IssueMoved', warningId: item.warning_id, actor, data: { issueId: id, ...entry } },
        tx,
      );
      return { id, state: to };
    });
  }
}
