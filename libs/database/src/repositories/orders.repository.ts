import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrderMeasure, OrderTargetState } from '../entities/orders.entity';

/** A 熔断 order as issued, with its deadlines already scaled. */
export interface NewOrderRow {
  warningId: string | null;
  measure: OrderMeasure;
  title: string;
  instruction: string;
  regionCode: string;
  ackDeadlineAt: Date;
  executeDeadlineAt: Date;
  issuedBy: string;
  issuedAt: Date;
}

/** One unit an order goes to, and the person who confirms for it. */
export interface OrderTargetRow {
  id: string;
  person_id: string;
  unit_name: string;
}

/** A target locked for an answer or a deadline check, with its order and its person's name. */
export interface LockedOrderTarget extends OrderTargetRow {
  state: OrderTargetState;
  acknowledged_at: Date | null;
  executed_at: Date | null;
  escalation_level: number;
  name: string;
  order_id: string;
  order_state: 'ordered' | 'lifted';
  warning_id: string | null;
  title: string;
  measure: OrderMeasure;
  ack_deadline_at: Date;
  execute_deadline_at: Date;
}

/** An order locked to be lifted. */
export interface LockedOrder {
  id: string;
  state: 'ordered' | 'lifted';
  title: string;
  measure: OrderMeasure;
  warning_id: string | null;
}

/**
 * The only writer of `orders` and `order_targets`: an order issued to its units, each target's two confirmations
 * (acknowledged, executed with evidence), its escalation level, the lift and each target's acknowledgment of it.
 * The caller passes its transaction's manager.
 */
@Injectable()
export class OrdersRepository {
  /** The order and one target per unit; returns the order's id and its targets. */
  async add(
    manager: EntityManager,
    o: NewOrderRow,
    targets: Array<{ personId: string; unitName: string }>,
  ): Promise<{ id: string; targets: OrderTargetRow[] }> {
    const [order] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO orders (warning_id, measure, title, instruction, region_code, ack_deadline_at, execute_deadline_at, issued_by, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        o.warningId,
        o.measure,
        o.title,
        o.instruction,
        o.regionCode,
        o.ackDeadlineAt,
        o.executeDeadlineAt,
        o.issuedBy,
        o.issuedAt,
      ],
    );
    const rows = await manager.query<OrderTargetRow[]>(
      `INSERT INTO order_targets (order_id, person_id, unit_name)
       SELECT $1, * FROM unnest($2::uuid[], $3::varchar[]) RETURNING id, person_id, unit_name`,
      [order.id, targets.map((t) => t.personId), targets.map((t) => t.unitName)],
    );
    return { id: order.id, targets: rows };
  }

  /** Locks the target (not its order) for an answer or a check; null when there is none. */
  async lockTarget(manager: EntityManager, targetId: string): Promise<LockedOrderTarget | null> {
    const [t] = await manager.query<LockedOrderTarget[]>(
      `SELECT ot.id, ot.person_id, ot.unit_name, ot.state, ot.acknowledged_at, ot.executed_at, ot.escalation_level, p.name,
              o.id AS order_id, o.state AS order_state, o.warning_id, o.title, o.measure, o.ack_deadline_at, o.execute_deadline_at
       FROM order_targets ot JOIN orders o ON o.id = ot.order_id JOIN persons p ON p.id = ot.person_id
       WHERE ot.id = $1 FOR UPDATE OF ot`,
      [targetId],
    );
    return t ?? null;
  }

  /** The first acknowledgment of the lift stands. */
  async acknowledgeLift(manager: EntityManager, targetId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE order_targets SET lift_acknowledged_at = coalesce(lift_acknowledged_at, $2) WHERE id = $1`,
      [targetId, now],
    );
  }

  /** acknowledged, or executed (which implies acknowledged), with the evidence given; the first acknowledgment stands. */
  async recordStep(
    manager: EntityManager,
    targetId: string,
    step: 'acknowledged' | 'executed',
    evidence: { note: string | null; photoUrl: string | null },
    now: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE order_targets SET state = $2::varchar, acknowledged_at = coalesce(acknowledged_at, $3),
              executed_at = CASE WHEN $2::varchar = 'executed' THEN $3::timestamptz END,
              evidence_note = coalesce($4, evidence_note), evidence_url = coalesce($5, evidence_url) WHERE id = $1`,
      [targetId, step, now, evidence.note, evidence.photoUrl],
    );
  }

  /** The target's silence went up to this level of the escalation chain. */
  async markEscalated(manager: EntityManager, targetId: string, level: number): Promise<void> {
    await manager.query(`UPDATE order_targets SET escalation_level = $2 WHERE id = $1`, [targetId, level]);
  }

  /** Locks an order issued in the region (`regionPrefix`: '' for all); null when there is none. */
  async lockInRegion(manager: EntityManager, orderId: string, regionPrefix: string): Promise<LockedOrder | null> {
    const [o] = await manager.query<LockedOrder[]>(
      `SELECT id, state, title, measure, warning_id FROM orders WHERE id = $1 AND region_code LIKE $2 || '%' FOR UPDATE`,
      [orderId, regionPrefix],
    );
    return o ?? null;
  }

  /** ordered → lifted; returns the order's targets, to be told. */
  async lift(manager: EntityManager, orderId: string, actor: string, now: Date): Promise<OrderTargetRow[]> {
    await manager.query(`UPDATE orders SET state = 'lifted', lifted_at = $2, lifted_by = $3 WHERE id = $1`, [
      orderId,
      now,
      actor,
    ]);
    return manager.query<OrderTargetRow[]>(`SELECT id, person_id, unit_name FROM order_targets WHERE order_id = $1`, [
      orderId,
    ]);
  }
}
