import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, ValidationError } from '@app/common';
import { EventLog, IssueItemsRepository, WITHDRAWN_STATES_SQL } from '@app/database';

export interface NonResponderQuery {
  from: Date;
  to: Date;
  /** At least this many warnings without an answer (屡次未应答 from 2). */
  min: number;
  drill: boolean;
}

export interface LinkedIssue {
  id: string;
  kind: string;
  state: string;
  title: string;
  createdAt: string;
}

export interface NonResponder {
  personId: string;
  name: string;
  title: string | null;
  unitCode: string;
  unitName: string | null;
  townName: string | null;
  /** Warnings (chains of versions) of the period in which they were called and never answered */
  missed: number;
  /** Warnings of the period in which they were called at all */
  called: number;
  lastMissedAt: string;
  warnings: Array<{ warningId: string; chainId: string; headline: string; sent: string }>;
  /** Their 问题清单 items: those of these warnings and any repeat-offender item, newest first */
  issues: LinkedIssue[];
}

/**
 * 未应答人员 and 屡次未应答: people of the caller's region who let at least `min` warnings of a period go unanswered
 * (a warning's versions count once; a call counts as unanswered once escalated, unreachable, or past its deadline
 * without an answer), with their 问题清单 items. The commander puts them on the problem list from here.
 */
@Injectable()
export class NonRespondersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly issues: IssueItemsRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async list(regionCode: string, q: NonResponderQuery): Promise<NonResponder[]> {
    return this.dataSource.query<NonResponder[]>(
      `WITH called AS (
         SELECT t.person_id, w.chain_id, w.id AS warning_id, w.version, w.headline, w.sent,
                t.acknowledged_at IS NULL AND (t.state IN ('escalated', 'unreachable') OR t.deadline_at <= $5) AS silent
         FROM call_tasks t JOIN warnings w ON w.id = t.warning_id JOIN persons p ON p.id = t.person_id
         WHERE t.requires_ack AND t.state NOT IN ${WITHDRAWN_STATES_SQL} AND w.sent >= $2 AND w.sent < $3 AND w.is_drill = $4
           AND ($1 = '500000' OR p.admin_unit_code LIKE $1 || '%')),
       per_chain AS (
         SELECT person_id, chain_id, bool_and(silent) AS silent, max(sent) AS sent,
                (array_agg(warning_id ORDER BY version DESC))[1] AS warning_id, (array_agg(headline ORDER BY version DESC))[1] AS headline
         FROM called GROUP BY person_id, chain_id),
       offenders AS (
         SELECT person_id, count(*) FILTER (WHERE silent)::int AS missed, count(*)::int AS called, max(sent) FILTER (WHERE silent) AS last_missed,
                json_agg(json_build_object('warningId', warning_id, 'chainId', chain_id, 'headline', headline, 'sent', sent) ORDER BY sent DESC)
                  FILTER (WHERE silent) AS warnings,
                array_agg(chain_id) FILTER (WHERE silent) AS chains
         FROM per_chain GROUP BY person_id HAVING count(*) FILTER (WHERE silent) >= $6)
       SELECT o.person_id AS "personId", p.name, p.title, p.admin_unit_code AS "unitCode", u.name AS "unitName", tw.name AS "townName",
              o.missed, o.called, o.last_missed AS "lastMissedAt", o.warnings,
              coalesce((SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'state', i.state, 'title', i.title, 'createdAt', i.created_at)
                                        ORDER BY i.created_at DESC)
                        FROM issue_items i WHERE i.person_id = o.person_id AND (i.chain_id = ANY(o.chains) OR i.kind = 'repeat_no_answer')), '[]') AS issues
       FROM offenders o JOIN persons p ON p.id = o.person_id LEFT JOIN admin_units u ON u.code = p.admin_unit_code
       LEFT JOIN admin_units tw ON tw.code = left(p.admin_unit_code, 9)
       ORDER BY o.missed DESC, o.last_missed DESC, p.name LIMIT 1000`,
      [regionCode, q.from, q.to, q.drill, this.clock.now(), q.min],
    );
  }

  /**
   * Puts repeat non-responders of this list on the problem list (待整改), one open item per person: someone who
   * already has one keeps it. Refuses, writing nothing, when one of them is not on the list.
   */
  async raiseIssues(
    regionCode: string,
    personIds: string[],
    q: NonResponderQuery,
    actor: string,
  ): Promise<{ created: string[]; existing: string[] }> {
    const list = await this.list(regionCode, q);
    const byId = new Map(list.map((r) => [r.personId, r]));
    const absent = personIds.filter((id) => !byId.has(id));
    if (absent.length > 0) {
      throw new ValidationError(
        `${absent.length} 人不在该时段的屡次未应答名单中（${absent.slice(0, 5).join('、')}） (not on the list of repeat non-responders for this period)`,
        { field: 'personIds', absent },
      );
    }
    const now = this.clock.now();
    const day = (d: Date) => d.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });
    const rows = personIds.map((id) => byId.get(id)!);
    return this.dataSource.transaction(async (tx) => {
      const added = await this.issues.addRepeatOffenders(
        tx,
        rows.map((r) => ({
          personId: r.personId,
          unitCode: r.unitCode,
          chainId: r.warnings[0].chainId,
          warningId: r.warnings[0].warningId,
          title: `${r.name}：${day(q.from)}至${day(q.to)}在 ${r.missed} 次预警中未应答（屡次未应答）`,
          detail: {
            from: q.from.toISOString(),
            to: q.to.toISOString(),
            min: q.min,
            drill: q.drill,
            missed: r.missed,
            called: r.called,
            warnings: r.warnings,
          },
        })),
        now,
      );
      await this.events.append(
        added.map((a) => ({
          type: 'RepeatOffenderListed',
          warningId: byId.get(a.personId)!.warnings[0].warningId,
          actor,
          data: { issueId: a.id, personId: a.personId },
        })),
        tx,
      );
      const created = new Set(added.map((a) => a.personId));
      return { created: added.map((a) => a.id), existing: personIds.filter((id) => !created.has(id)) };
    });
  }
}
