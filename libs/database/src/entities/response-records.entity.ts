import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type PerformanceKind =
  | 'answered'
  | 'answered_late'
  | 'cannot_comply'
  | 'no_ack'
  | 'unreachable'
  | 'escalation_exhausted'
  | 'order_acknowledged'
  | 'order_acknowledged_late'
  | 'order_executed'
  | 'order_executed_late'
  | 'order_silent';

/** 履职记录: one line of a person's duty-performance ledger, for the role slots they were called in. */
@Entity('performance_records')
export class PerformanceRecordEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  @Column({ name: 'call_task_id', type: 'uuid', nullable: true })
  callTaskId!: string | null;

  @Column({ name: 'order_target_id', type: 'uuid', nullable: true })
  orderTargetId!: string | null;

  @Column({ name: 'role_slots', type: 'varchar', array: true, default: '{}' })
  roleSlots!: string[];

  @Column({ type: 'varchar', length: 24 })
  kind!: PerformanceKind;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'jsonb', default: {} })
  detail!: Record<string, unknown>;
}

export type IssueState = 'open' | 'rectifying' | 'verified' | 'closed';

/** 问题清单: a failure found at closure, owned by someone until it is struck off (销号). */
@Entity('issue_items')
export class IssueItemEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'chain_id', type: 'uuid' })
  chainId!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'call_task_id', type: 'uuid', nullable: true })
  callTaskId!: string | null;

  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId!: string | null;

  @Column({ name: 'owner_person_id', type: 'uuid', nullable: true })
  ownerPersonId!: string | null;

  @Column({ name: 'unit_code', type: 'varchar', length: 12 })
  unitCode!: string;

  @Column({ type: 'varchar', length: 24 })
  kind!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'varchar', length: 12, default: 'open' })
  state!: IssueState;

  @Column({ type: 'jsonb', default: [] })
  history!: Array<{ from: IssueState; to: IssueState; at: string; actor: string; note?: string }>;

  /** What the item rests on beyond its warning (a repeat non-responder: the period and the warnings not answered). */
  @Column({ type: 'jsonb', default: {} })
  detail!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}

/** 一对一叫应 per vulnerable resident: the caller says 已当面告知 and/or 已安排转移 for each one. */
@Entity('resident_confirmations')
export class ResidentConfirmationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'call_task_id', type: 'uuid' })
  callTaskId!: string;

  @Column({ name: 'special_resident_id', type: 'uuid' })
  specialResidentId!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'informed_at', type: 'timestamptz', nullable: true })
  informedAt!: Date | null;

  @Column({ name: 'evacuation_arranged_at', type: 'timestamptz', nullable: true })
  evacuationArrangedAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note!: string | null;

  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
