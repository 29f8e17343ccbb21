import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** 断、禁、停、撤、疏: the 熔断 measures an order can carry. */
export const ORDER_MEASURES = [
  'cut_off',
  'road_closure',
  'ban',
  'stop_work',
  'stop_school',
  'stop_business',
  'stop_transport',
  'stop_shipping',
  'withdraw',
  'evacuate',
] as const;
export type OrderMeasure = (typeof ORDER_MEASURES)[number];

/** A 熔断 order to units, each confirming twice: acknowledged, then executed with evidence. */
@Entity('orders')
export class OrderEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  @Column({ type: 'varchar', length: 24 })
  measure!: OrderMeasure;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', default: '' })
  instruction!: string;

  @Column({ name: 'region_code', type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ type: 'varchar', length: 12, default: 'ordered' })
  state!: 'ordered' | 'lifted';

  @Column({ name: 'ack_deadline_at', type: 'timestamptz' })
  ackDeadlineAt!: Date;

  @Column({ name: 'execute_deadline_at', type: 'timestamptz' })
  executeDeadlineAt!: Date;

  @Column({ name: 'issued_by', type: 'varchar', length: 100 })
  issuedBy!: string;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt!: Date | null;

  @Column({ name: 'lifted_by', type: 'varchar', length: 100, nullable: true })
  liftedBy!: string | null;
}

export type OrderTargetState = 'ordered' | 'acknowledged' | 'executed';

@Entity('order_targets')
export class OrderTargetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  /** The unit's responsible person, who confirms for the unit. */
  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'unit_name', type: 'varchar', length: 200 })
  unitName!: string;

  @Column({ type: 'varchar', length: 16, default: 'ordered' })
  state!: OrderTargetState;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'executed_at', type: 'timestamptz', nullable: true })
  executedAt!: Date | null;

  @Column({ name: 'evidence_note', type: 'varchar', length: 500, nullable: true })
  evidenceNote!: string | null;

  @Column({ name: 'evidence_url', type: 'varchar', length: 500, nullable: true })
  evidenceUrl!: string | null;

  @Column({ name: 'escalation_level', type: 'smallint', default: 0 })
  escalationLevel!: number;

  @Column({ name: 'lift_acknowledged_at', type: 'timestamptz', nullable: true })
  liftAcknowledgedAt!: Date | null;
}

/**
 * A notify-only message (who answered, order, order lift, escalation of an order) on one channel: sent, never
 * waited for. One row per notice and channel (NOTICE_CHANNELS says which); an SMS carries its link as a short link.
 */
@Entity('notices')
@Unique(['dedupeKey', 'channel'])
export class NoticeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId!: string | null;

  @Column({ type: 'varchar', length: 24 })
  kind!: string;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 200 })
  dedupeKey!: string;

  @Column({ type: 'varchar', length: 300 })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16 })
  channel!: 'sms' | 'email';

  @Column({ name: 'contact_method_id', type: 'uuid', nullable: true })
  contactMethodId!: string | null;

  /** SMS only: the short link (short_links.code) standing for the link in the body. */
  @Column({ name: 'link_code', type: 'varchar', length: 16, nullable: true })
  linkCode!: string | null;

  /** sent = accepted by the SMTP server or carrier; delivered / failed after a carrier receipt too. */
  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled';

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 200, nullable: true })
  providerMessageId!: string | null;

  @Column({ name: 'receipt_code', type: 'varchar', length: 40, nullable: true })
  receiptCode!: string | null;

  @Column({ name: 'receipt_at', type: 'timestamptz', nullable: true })
  receiptAt!: Date | null;

  /** Claims for sending so far; an SMS with an unknown outcome is asked about, not resent, for a few of them. */
  @Column({ type: 'int', default: 0 })
  tries!: number;

  /** When last claimed for sending: a claim turns stale by it. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
