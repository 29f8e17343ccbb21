import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, maskPhone, NotFoundError } from '@app/common';
import { inRegionSql } from '@app/database';
import { offsetOf, Page, PageQuery } from '../page';
import { BOARD_FLAGS_CTE, COUNT_COLUMNS, COUNTER_NAMES, CounterName, COUNTERS } from './board-sql';

/** red: something overdue; amber: deadlines running (nextDeadline is the earliest); green: nothing waits; idle: no calls. */
export type UnitStatus = 'red' | 'amber' | 'green' | 'idle';

export type Counts = Record<CounterName, number> & {
  /** Calls that wait for an answer (叫应率 = answered / awaited). */
  awaited: number;
  nextDeadline: Date | null;
  overdueSince: Date | null;
  rate: number | null;
  status: UnitStatus;
};

export interface BoardUnit extends Counts {
  code: string;
  name: string;
  level: 'county' | 'town' | 'village';
  children: BoardUnit[];
}

export interface BoardWarning extends Counts {
  id: string;
  chainId: string;
  version: number;
  headline: string;
  colour: string | null;
  level: number | null;
  hazardType: string;
  state: string;
  sent: Date;
  areaCodes: string[];
  isDrill: boolean;
}

export interface CommandBoard {
  at: Date;
  regionCode: string;
  /** The warning asked for, or null for every warning being tracked in the region. */
  warningId: string | null;
  totals: Counts;
  warnings: BoardWarning[];
  /** 区县 → 乡镇 → 村, each level sorted by urgency. */
  tree: BoardUnit[];
}

export interface BoardPerson {
  callTaskId: string;
  warningId: string;
  personId: string;
  name: string;
  title: string | null;
  unitCode: string;
  unitName: string | null;
  state: string;
  tier: number;
  deadlineAt: Date | null;
  acknowledgedAt: Date | null;
  response: string | null;
  answeredBy: string | null;
  answered: boolean;
  delivered: boolean;
  running: boolean;
  overdue: boolean;
  escalated: boolean;
  unreachable: boolean;
  superviseSilent: boolean;
  manualCallAt: Date | null;
  mobile: string | null;
  /** The newest message per channel: queued / sending / accepted / delivered / failed. */
  channels: Array<{ channel: string; status: string; at: Date; error: string | null }>;
  escalatedTo: Array<{ person: string | null; state: string | null; reason: string; at: Date }>;
  /** 督办 sent about this call: to whom, which round, and the first answer (received / contacted / dispatched) or null. */
  supervision: Array<{ to: string; round: number; sentAt: Date; answer: string | null }>;
}

type Row = Omit<Counts, 'rate' | 'status'> & {
  g: number;
  warningId: string | null;
  c: string | null;
  tw: string | null;
  v: string | null;
  name: string | null;
  w: Omit<BoardWarning, keyof Counts> | null;
};

// GROUPING(warning_id, c, tw, v): a bit per column left out of the grouping set.
const TOTAL = 15;
const PER_WARNING = 7;
const LEVEL_OF_GROUPING: Record<number, BoardUnit['level']> = { 11: 'county', 9: 'town', 8: 'village' };

/**
 * The commander's board (指挥看板): counters and the 区县 → 乡镇 → 村 tree of one warning, or of every warning being
 * tracked in the caller's region, counted by PostgreSQL in one grouped query; and a unit's people a page at a time.
 */
@Injectable()
export class CommandBoardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async board(regionCode: string, warningId: string | null): Promise<CommandBoard> {
    if (warningId) {
      await this.assertVisible(warningId, regionCode);
    }
    const now = this.clock.now();
    const rows = await this.query<Row[]>(
      `WITH ${BOARD_FLAGS_CTE},
       x AS (SELECT f.*, left(f.unit, 6) AS c, CASE WHEN length(f.unit) >= 9 THEN left(f.unit, 9) END AS tw,
                    CASE WHEN length(f.unit) >= 12 THEN left(f.unit, 12) END AS v FROM flags f),
       r AS (SELECT GROUPING(warning_id, c, tw, v) AS g, warning_id AS "warningId", c, tw, v, ${COUNT_COLUMNS}
             FROM x GROUP BY GROUPING SETS ((), (warning_id), (c), (c, tw), (c, tw, v)))
       SELECT r.*, u.name,
              CASE WHEN w.id IS NOT NULL THEN json_build_object('id', w.id, 'chainId', w.chain_id, 'version', w.version, 'headline', w.headline,
                'colour', w.colour, 'level', w.level, 'hazardType', w.hazard_type, 'state', w.state, 'sent', w.sent, 'areaCodes', w.area_codes,
                'isDrill', w.is_drill) END AS w
       FROM r LEFT JOIN admin_units u ON r.g <> ${PER_WARNING} AND u.code = coalesce(r.v, r.tw, r.c)
       LEFT JOIN warnings w ON r.g = ${PER_WARNING} AND w.id = r."warningId"`,
      [regionCode, now, warningId],
    );
    const total = rows.find((r) => r.g === TOTAL);
    const warnings = rows
      .filter((r) => r.g === PER_WARNING && r.w)
      .map((r) => ({ ...r.w!, ...counts(r) }))
      .sort((a, b) => (a.level ?? 9) - (b.level ?? 9) || new Date(b.sent).getTime() - new Date(a.sent).getTime());
    return {
      at: now,
      regionCode,
      warningId,
      totals: total ? counts(total) : counts(emptyRow()),
      warnings,
      tree: treeOf(rows),
    };
  }

  /** A unit's people (its code and everything under it), one page at a time, most urgent first; `filter` is a counter. */
  async people(
    regionCode: string,
    q: PageQuery & { warningId: string | null; unit: string; filter?: CounterName },
  ): Promise<Page<BoardPerson>> {
    if (q.warningId) {
      await this.assertVisible(q.warningId, regionCode);
    }
    const filter = q.filter && COUNTER_NAMES.includes(q.filter) ? COUNTERS[q.filter] : 'true';
    const rows = await this.query<Array<BoardPerson & { total: number }>>(
      `WITH ${BOARD_FLAGS_CTE},
       pg AS (SELECT f.*, count(*) OVER () AS total FROM flags f WHERE f.unit LIKE $4 || '%' AND ${filter}
              ORDER BY f.overdue DESC, f.running DESC, f.unreachable DESC, f.answered, coalesce(f.overdue_since, f.deadline_at) NULLS LAST, f.id
              LIMIT $5 OFFSET $6)
       SELECT pg.id AS "callTaskId", pg.warning_id AS "warningId", pg.person_id AS "personId", p.name, p.title, pg.unit AS "unitCode",
              u.name AS "unitName", pg.state, pg.tier, pg.deadline_at AS "deadlineAt", pg.acknowledged_at AS "acknowledgedAt",
              a.response, a.method AS "answeredBy", pg.answered, pg.delivered, pg.running, pg.overdue, pg.escalated, pg.unreachable,
              pg.supervise_silent AS "superviseSilent", pg.manual_call_at AS "manualCallAt", pg.total::int AS total,
              (SELECT m.address FROM contact_methods m WHERE m.person_id = p.id AND m.channel IN ('voice', 'sms') ORDER BY m.priority LIMIT 1) AS mobile,
              coalesce((SELECT json_agg(json_build_object('channel', l.channel, 'status', l.status, 'at', l.at, 'error', l.error) ORDER BY l.channel)
                FROM (SELECT DISTINCT ON (at.channel) at.channel, at.status, coalesce(at.receipt_at, at.sent_at, at.created_at) AS at, at.error
                      FROM attempts at WHERE at.call_task_id = pg.id ORDER BY at.channel, at.created_at DESC) l), '[]') AS channels,
              coalesce((SELECT json_agg(json_build_object('person', tp.name, 'state', tt.state, 'reason', e.reason, 'at', e.at) ORDER BY e.at)
                FROM escalations e LEFT JOIN call_tasks tt ON tt.id = e.to_task_id LEFT JOIN persons tp ON tp.id = tt.person_id
                WHERE e.from_task_id = pg.id), '[]') AS "escalatedTo",
              coalesce((SELECT json_agg(json_build_object('to', np.name, 'round', n.round, 'sentAt', n.sent_at,
                  'answer', (SELECT x.response FROM escalation_answers x WHERE x.notice_id = n.id ORDER BY x.at LIMIT 1)) ORDER BY n.round, np.name)
                FROM escalation_notice_items i JOIN escalation_notices n ON n.id = i.notice_id AND n.sent_at IS NOT NULL
                JOIN persons np ON np.id = n.person_id WHERE i.call_task_id = pg.id), '[]') AS supervision
       FROM pg JOIN persons p ON p.id = pg.person_id LEFT JOIN admin_units u ON u.code = pg.unit
       LEFT JOIN acknowledgements a ON a.call_task_id = pg.id
       ORDER BY pg.overdue DESC, pg.running DESC, pg.unreachable DESC, pg.answered, coalesce(pg.overdue_since, pg.deadline_at) NULLS LAST, pg.id`,
      [regionCode, this.clock.now(), q.warningId, q.unit, q.pageSize, offsetOf(q)],
    );
    const total = rows[0]?.total ?? (q.page > 1 ? await this.count(regionCode, q.warningId, q.unit, filter) : 0);
    const items = rows.map(({ total: _t, ...r }) => ({ ...r, mobile: r.mobile ? maskPhone(r.mobile) : null }));
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  /** The total of a page past the end (nothing on it to carry the window count). */
  private async count(regionCode: string, warningId: string | null, unit: string, filter: string): Promise<number> {
    const [row] = await this.query<Array<{ n: number }>>(
      `WITH ${BOARD_FLAGS_CTE} SELECT count(*)::int AS n FROM flags f WHERE f.unit LIKE $4 || '%' AND ${filter}`,
      [regionCode, this.clock.now(), warningId, unit],
    );
    return row.n;
  }

  /**
   * The flags query without JIT: PostgreSQL cannot tell the per-call aggregates are one row per call, estimates
   * millions of rows, and spends over a second compiling a plan that runs in ~100 ms over 10,000 calls.
   */
  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL jit = off');
      return tx.query<T>(sql, params);
    });
  }

  private async assertVisible(id: string, regionCode: string): Promise<void> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.query<unknown[]>(
          `SELECT 1 FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
          [id, regionCode],
        )
      : [];
    if (!row) {
      throw new NotFoundError(`warning ${id} not found（预警不存在或不在您的辖区）`);
    }
  }
}

function emptyRow(): Omit<Counts, 'rate' | 'status'> {
  return {
    ...(Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Record<CounterName, number>),
    awaited: 0,
    nextDeadline: null,
    overdueSince: null,
  };
}

function counts(r: Omit<Counts, 'rate' | 'status'>): Counts {
  const c = { ...emptyRow() };
  for (const n of COUNTER_NAMES) {
    c[n] = r[n];
  }
  c.awaited = r.awaited;
  c.nextDeadline = r.nextDeadline;
  c.overdueSince = r.overdueSince;
  const status: UnitStatus = c.called === 0 ? 'idle' : c.overdue > 0 ? 'red' : c.running > 0 ? 'amber' : 'green';
  return { ...c, rate: c.awaited > 0 ? Math.round((c.answered / c.awaited) * 1000) / 1000 : null, status };
}

const STATUS_ORDER: Record<UnitStatus, number> = { red: 0, amber: 1, green: 2, idle: 3 };
const time = (d: Date | null) => (d ? new Date(d).getTime() : Infinity);

/** Most urgent first: red by how many are overdue (then the longest overdue), amber by the earliest deadline, then the lowest 叫应率. */
export function byUrgency(a: Counts & { code: string }, b: Counts & { code: string }): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    (a.status === 'red' ? b.overdue - a.overdue || time(a.overdueSince) - time(b.overdueSince) : 0) ||
    (a.status === 'amber' ? time(a.nextDeadline) - time(b.nextDeadline) : 0) ||
    (a.rate ?? 1) - (b.rate ?? 1) ||
    a.code.localeCompare(b.code)
  );
}

function treeOf(rows: Row[]): BoardUnit[] {
  const units = rows
    .filter((r) => LEVEL_OF_GROUPING[r.g] && (r.v ?? r.tw ?? r.c) && !(r.g === 8 && !r.v) && !(r.g === 9 && !r.tw))
    .map((r) => ({
      ...counts(r),
      code: (r.v ?? r.tw ?? r.c)!,
      name: r.name ?? (r.v ?? r.tw ?? r.c)!,
      level: LEVEL_OF_GROUPING[r.g],
      children: [] as BoardUnit[],
    }));
  const byCode = new Map(units.map((u) => [u.code, u]));
  const roots: BoardUnit[] = [];
  for (const u of units) {
    const parent =
      u.level === 'village'
        ? byCode.get(u.code.slice(0, 9))
        : u.level === 'town'
          ? byCode.get(u.code.slice(0, 6))
          : undefined;
    (parent ? parent.children : roots).push(u);
  }
  const sort = (list: BoardUnit[]) => {
    list.sort(byUrgency);
    list.forEach((u) => sort(u.children));
  };
  sort(roots);
  return roots;
}
