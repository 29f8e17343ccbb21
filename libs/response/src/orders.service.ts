import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, inRegion, NotFoundError, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig, ORDER_MEASURE_ZH } from '@app/config';
import type { OrderMeasure, OrderTargetState, Role } from '@app/database';
import {
  EventLog,
  ORDER_MEASURES,
  OrdersRepository,
  PerformanceRecordsRepository,
  type OrderTargetRow,
} from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { AckLinks, NewNotice, NoticeService, orderTimers } from '@app/calls';

/** The measures' words, checked here against the measures an order can carry. */
export const MEASURE_ZH: Record<OrderMeasure, string> = ORDER_MEASURE_ZH;

export interface IssueOrderInput {
  measure: OrderMeasure;
  title: string;
  instruction?: string;
  warningId?: string | null;
  regionCode: string;
  ackDeadlineMin: number;
  executeDeadlineMin: number;
  targets: Array<{ personId: string; unitName: string }>;
}

export type TargetAction = 'acknowledge' | 'execute' | 'lift_acknowledge';

/** What a target's link page shows: the order, its deadlines, who issued it, and what this target has recorded. */
export interface OrderTargetView {
  targetId: string;
  orderId: string;
  personName: string;
  unitName: string;
  measure: OrderMeasure;
  title: string;
  instruction: string;
  /** The issuing API key's name and role (the raw actor when the key is gone). */
  issuer: { name: string; role: Role | null };
  issuedAt: Date;
  ackDeadlineAt: Date;
  executeDeadlineAt: Date;
  orderState: 'ordered' | 'lifted';
  liftedAt: Date | null;
  state: OrderTargetState;
  acknowledgedAt: Date | null;
  executedAt: Date | null;
  /** Answered after that step's deadline: recorded, and marked late. */
  acknowledgedLate: boolean;
  executedLate: boolean;
  evidenceNote: string | null;
  evidenceUrl: string | null;
  drill: boolean;
}

/** An answer after the step's deadline is late (recorded all the same). */
const lateFor = (at: Date | null, deadline: Date): boolean => !!at && at.getTime() > deadline.getTime();

/**
 * 熔断 orders (断、禁、停、撤、疏) to units: each target confirms twice (acknowledged, then executed with a note or
 * photo URL). A target silent at the acknowledgment deadline is escalated to its backup and 包干 leader; one not
 * executed by the execution deadline goes on to the county duty officer and commander. A lift notifies every target.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly links: AckLinks,
    private readonly notices: NoticeService,
    private readonly performance: PerformanceRecordsRepository,
    private readonly jobs: JobProducer,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(input: IssueOrderInput, callerRegion: string, actor: string): Promise<{ id: string; targets: number }> {
    if (!ORDER_MEASURES.includes(input.measure)) {
      throw new ValidationError(`measure must be one of ${ORDER_MEASURES.join(', ')}（措施类型无效）`);
    }
    if (!inRegion(input.regionCode, callerRegion)) {
      throw new ValidationError(`region ${input.regionCode} is outside your region ${callerRegion}（超出辖区）`);
    }
    const now = this.clock.now();
    const scaled = (min: number) => new Date(now.getTime() + Math.round(min * 60_000 * this.config.timers.scale));
    const result = await this.dataSource.transaction(async (tx) => {
      const persons = await tx.query<Array<{ id: string; admin_unit_code: string }>>(
        `SELECT id, admin_unit_code FROM persons WHERE id = ANY($1::uuid[]) AND active`,
        [input.targets.map((t) => t.personId)],
      );
      const bad = input.targets.filter(
        (t) => !persons.some((p) => p.id === t.personId && inRegion(p.admin_unit_code, input.regionCode)),
      );
      if (bad.length > 0) {
        throw new ValidationError(
          `targets not found in region ${input.regionCode}: ${bad.map((b) => b.personId).join(', ')}（执行单位责任人不在辖区内）`,
        );
      }
      const order = {
        warningId: input.warningId ?? null,
        measure: input.measure,
        title: input.title,
        instruction: input.instruction ?? '',
        regionCode: input.regionCode,
        ackDeadlineAt: scaled(input.ackDeadlineMin),
        executeDeadlineAt: scaled(input.executeDeadlineMin),
        issuedBy: actor,
        issuedAt: now,
      };
      const { id, targets } = await this.orders.add(tx, order, input.targets);
      const notices = await this.linkNotices(
        tx,
        id,
        targets,
        'order',
        `【熔断指令·${MEASURE_ZH[input.measure]}】${input.title}`,
        `${input.instruction ?? ''}\n请打开以下链接立即确认收到；执行完毕后在同一页面上报执行情况（说明，可附照片链接）：`,
        now,
      );
      await this.events.append(
        {
          type: 'OrderIssued',
          warningId: input.warningId ?? null,
          actor,
          data: { orderId: id, measure: input.measure, targets: targets.length },
        },
        tx,
      );
      return { id, targets, notices, ack: order.ackDeadlineAt, exec: order.executeDeadlineAt };
    });
    await this.jobs.sendNotices(result.notices);
    await this.jobs.scheduleOrderChecks(
      result.targets.flatMap((t) =>
        orderTimers({ ackDeadlineAt: result.ack, executeDeadlineAt: result.exec }).map((c) => ({
          orderTargetId: t.id,
          ...c,
        })),
      ),
      this.clock.now(),
    );
    return { id: result.id, targets: result.targets.length };
  }

  /** What the link page shows. Opening is recorded (OrderLinkOpened), but it is not an answer. */
  async view(token: string): Promise<OrderTargetView> {
    const claims = this.links.verify(token, 'order');
    const [r] = await this.dataSource.query<
      Array<{
        target_id: string;
        order_id: string;
        warning_id: string | null;
        person_name: string;
        unit_name: string;
        measure: OrderMeasure;
        title: string;
        instruction: string;
        issued_by: string;
        key_name: string | null;
        key_role: Role | null;
        issued_at: Date;
        ack_deadline_at: Date;
        execute_deadline_at: Date;
        order_state: 'ordered' | 'lifted';
        lifted_at: Date | null;
        state: OrderTargetState;
        acknowledged_at: Date | null;
        executed_at: Date | null;
        evidence_note: string | null;
        evidence_url: string | null;
        drill: boolean | null;
      }>
    >(
      `SELECT ot.id AS target_id, o.id AS order_id, o.warning_id, p.name AS person_name, ot.unit_name, o.measure, o.title,
              o.instruction, o.issued_by, coalesce(u.display_name, k.name) AS key_name, coalesce(u.role, k.role) AS key_role, o.issued_at, o.ack_deadline_at,
              o.execute_deadline_at, o.state AS order_state, o.lifted_at, ot.state, ot.acknowledged_at, ot.executed_at,
              ot.evidence_note, ot.evidence_url, w.is_drill AS drill
       FROM order_targets ot JOIN orders o ON o.id = ot.order_id JOIN persons p ON p.id = ot.person_id
       LEFT JOIN warnings w ON w.id = o.warning_id LEFT JOIN api_keys k ON 'api-key:' || k.name = o.issued_by
       LEFT JOIN users u ON 'user:' || u.username = o.issued_by
       WHERE ot.id = $1 AND ot.person_id = $2`,
      [claims.sub, claims.per],
    );
    if (!r) {
      throw new NotFoundError('指令链接无效，请使用短信或邮件中的完整链接。(unknown order target)');
    }
    await this.events.append({
      type: 'OrderLinkOpened',
      warningId: r.warning_id,
      actor: `person:${claims.per}`,
      data: { orderId: r.order_id, targetId: r.target_id },
    });
    return {
      targetId: r.target_id,
      orderId: r.order_id,
      personName: r.person_name,
      unitName: r.unit_name,
      measure: r.measure,
      title: r.title,
      instruction: r.instruction,
      issuer: { name: r.key_name ?? r.issued_by.replace(/^api-key:/, ''), role: r.key_role },
      issuedAt: r.issued_at,
      ackDeadlineAt: r.ack_deadline_at,
      executeDeadlineAt: r.execute_deadline_at,
      orderState: r.order_state,
      liftedAt: r.lifted_at,
      state: r.state,
      acknowledgedAt: r.acknowledged_at,
      executedAt: r.executed_at,
      acknowledgedLate: lateFor(r.acknowledged_at, r.ack_deadline_at),
      executedLate: lateFor(r.executed_at, r.execute_deadline_at),
      evidenceNote: r.evidence_note,
      evidenceUrl: r.evidence_url,
      drill: r.drill ?? false,
    };
  }

  async respondByToken(
    token: string,
    action: TargetAction,
    evidence: { note?: string | null; photoUrl?: string | null },
  ) {
    const claims = this.links.verify(token, 'order');
    return this.respond(claims.sub, claims.per, action, evidence, `person:${claims.per}`);
  }

  /**
   * Two-step confirmation; repeats are harmless (the first time stands). Executing implies acknowledging.
   * A step answered after its deadline is recorded all the same and marked late (…Late event, order_*_late record).
   */
  async respond(
    targetId: string,
    personId: string | null,
    action: TargetAction,
    evidence: { note?: string | null; photoUrl?: string | null },
    actor: string,
  ) {
    if (action === 'execute' && !evidence.note && !evidence.photoUrl) {
      throw new ValidationError('执行情况需附说明或照片链接 (note or photoUrl required)');
    }
    // Only the evidence is recorded, whatever else the caller's body carried.
    const proof = { note: evidence.note ?? undefined, photoUrl: evidence.photoUrl ?? undefined };
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const t = await this.orders.lockTarget(tx, targetId);
      if (!t || (personId && t.person_id !== personId)) {
        throw new NotFoundError('指令不存在 (unknown order target)');
      }
      if (action === 'lift_acknowledge') {
        if (t.order_state !== 'lifted') {
          throw new ConflictError('指令尚未解除 (order not lifted)');
        }
        await this.orders.acknowledgeLift(tx, t.id, now);
        return { id: t.id, state: t.state, liftAcknowledged: true };
      }
      if (t.order_state === 'lifted') {
        throw new ConflictError('该指令已解除，无需再确认 (order lifted)');
      }
      const executing = action === 'execute';
      const target = executing ? 'executed' : 'acknowledged';
      const deadline = executing ? t.execute_deadline_at : t.ack_deadline_at;
      if (t.state === 'executed' || t.state === target) {
        return {
          id: t.id,
          state: t.state,
          already: true,
          late: lateFor(executing ? t.executed_at : t.acknowledged_at, deadline),
        };
      }
      const late = lateFor(now, deadline);
      await this.orders.recordStep(
        tx,
        t.id,
        target,
        { note: proof.note ?? null, photoUrl: proof.photoUrl ?? null },
        now,
      );
      const kind = `order_${target}${late ? '_late' : ''}` as const;
      await this.performance.record(tx, [{ kind, orderTargetId: t.id, detail: { ...proof, late } }], now);
      const type = `${executing ? 'OrderExecuted' : 'OrderAcknowledged'}${late ? 'Late' : ''}`;
      await this.events.append(
        { type, warningId: t.warning_id, actor, data: { orderId: t.order_id, targetId: t.id, ...proof, late } },
        tx,
      );
      return { id: t.id, state: target, already: false, late };
    });
  }

  /** The delayed check of one target: silent at the ack deadline, or not executed by the execution deadline → escalate. */
  async check(targetId: string, phase: 'ack' | 'execute'): Promise<JobOutcome> {
    const now = this.clock.now();
    const notices = await this.dataSource.transaction(async (tx) => {
      const t = await this.orders.lockTarget(tx, targetId);
      const due = phase === 'ack' ? t?.state === 'ordered' : t?.state !== 'executed';
      if (!t || t.order_state !== 'ordered' || !due) {
        return null;
      }
      const level = phase === 'ack' ? 1 : Math.max(t.escalation_level + 1, 2);
      const people = await this.escalationTargets(tx, t.person_id, level);
      await this.orders.markEscalated(tx, t.id, level);
      await this.performance.record(
        tx,
        [{ kind: 'order_silent', orderTargetId: t.id, detail: { phase, escalatedTo: people, level } }],
        now,
      );
      await this.events.append(
        { type: 'OrderEscalated', data: { orderId: t.order_id, targetId: t.id, phase, level, to: people } },
        tx,
      );
      const what = phase === 'ack' ? '未在时限内确认收到' : '未在时限内上报执行';
      const subject = `【熔断指令督办】${t.unit_name}${what}：${t.title}`;
      return this.notices.write(
        tx,
        people.map(
          (personId): NewNotice => ({
            personId,
            kind: 'order_escalated',
            orderId: t.order_id,
            dedupeKey: `order-esc-${t.id}-${phase}-${personId}`,
            subject,
            body: `${subject}\n措施：${MEASURE_ZH[t.measure]}\n责任人：${t.name}\n请立即联系该单位或派人到场督促落实。`,
          }),
        ),
        now,
      );
    });
    if (!notices) {
      return 'skipped';
    }
    await this.jobs.sendNotices(notices);
    return 'done';
  }

  async lift(orderId: string, callerRegion: string, actor: string, note: string | null) {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx) => {
      const o = await this.orders.lockInRegion(tx, orderId, callerRegion === '500000' ? '' : callerRegion);
      if (!o) {
        throw new NotFoundError(`order ${orderId} not found（指令不存在）`);
      }
      if (o.state === 'lifted') {
        throw new ConflictError('该指令已解除 (already lifted)');
      }
      const targets = await this.orders.lift(tx, o.id, actor, now);
      const notices = await this.linkNotices(
        tx,
        o.id,
        targets,
        'order_lifted',
        `【解除熔断·${MEASURE_ZH[o.measure]}】${o.title}`,
        `${note ?? ''}\n此指令已解除，请有序恢复。指令详情：`,
        now,
      );
      await this.events.append(
        { type: 'OrderLifted', warningId: o.warning_id, actor, data: { orderId: o.id, note } },
        tx,
      );
      return notices;
    });
    await this.jobs.sendNotices(result);
    return { id: orderId, state: 'lifted', noticed: result.length };
  }

  async list(regionCode: string) {
    return this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT o.id, o.measure, o.title, o.state, o.region_code AS "regionCode", o.warning_id AS "warningId",
              o.ack_deadline_at AS "ackDeadlineAt", o.execute_deadline_at AS "executeDeadlineAt", o.issued_at AS "issuedAt",
              o.lifted_at AS "liftedAt",
              json_agg(json_build_object('id', ot.id, 'unitName', ot.unit_name, 'personName', p.name, 'state', ot.state,
                'acknowledgedAt', ot.acknowledged_at, 'executedAt', ot.executed_at, 'evidenceNote', ot.evidence_note,
                'evidenceUrl', ot.evidence_url, 'escalationLevel', ot.escalation_level, 'liftAcknowledgedAt', ot.lift_acknowledged_at)
                ORDER BY ot.unit_name) AS targets
       FROM orders o JOIN order_targets ot ON ot.order_id = o.id JOIN persons p ON p.id = ot.person_id
       WHERE o.region_code LIKE $1 || '%' GROUP BY o.id ORDER BY o.issued_at DESC LIMIT 500`,
      [regionCode === '500000' ? '' : regionCode],
    );
  }

  async targetInRegion(targetId: string, regionCode: string): Promise<void> {
    const [row] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM order_targets ot JOIN orders o ON o.id = ot.order_id WHERE ot.id = $1 AND o.region_code LIKE $2 || '%'`,
      [targetId, regionCode === '500000' ? '' : regionCode],
    );
    if (!row) {
      throw new NotFoundError(`order target ${targetId} not found（指令对象不存在）`);
    }
  }

  /** One notice per target with its own signed link (the order, or its lift). */
  private async linkNotices(
    tx: EntityManager,
    orderId: string,
    targets: OrderTargetRow[],
    kind: 'order' | 'order_lifted',
    subject: string,
    ask: string,
    now: Date,
  ): Promise<string[]> {
    return this.notices.write(
      tx,
      targets.map((t) => ({
        personId: t.person_id,
        kind,
        orderId,
        dedupeKey: `${kind}-${t.id}`,
        subject,
        body: `${subject}\n执行单位：${t.unit_name}\n${ask}\n${this.links.orderUrl(this.links.orderToken(t.id, t.person_id))}`,
      })),
      now,
    );
  }

  /** Level 1: backup and 包干 leader; level 2 and on: the county duty officer and commander. */
  private async escalationTargets(tx: EntityManager, personId: string, level: number): Promise<string[]> {
    const rows = await tx.query<Array<{ id: string | null }>>(
      level === 1
        ? `SELECT p.backup_person_id AS id FROM persons p WHERE p.id = $1
           UNION SELECT c.leader_person_id FROM contracting_assignments c JOIN persons p ON p.admin_unit_code = c.admin_unit_code
           WHERE p.id = $1 AND c.leader_person_id <> p.id`
        : `SELECT a.person_id AS id FROM responsibility_assignments a JOIN persons p ON a.target_id = left(p.admin_unit_code, 6)
           WHERE p.id = $1 AND a.target_type = 'unit' AND a.role_slot IN ('duty_officer','commander') AND a.person_id <> p.id`,
      [personId],
    );
    return [...new Set(rows.map((r) => r.id).filter((id): id is string => !!id))];
  }
}
