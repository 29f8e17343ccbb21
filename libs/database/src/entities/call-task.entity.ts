import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CallTaskState } from '../call-task-states';

/** Why a person is called: role slot on a target (zone, object, unit) or an escalation. */
export interface CallReason {
  kind: 'assignment' | 'contracting' | 'one_to_one' | 'escalation';
  roleSlot?: string;
  sector?: string;
  targetType?: 'unit' | 'object' | 'zone' | 'resident';
  targetId?: string;
  targetName?: string;
  note?: string;
}

/** One person to be called for one warning version; answered once whatever the number of reasons. */
@Entity('call_tasks')
@Index('uq_call_tasks_dispatch_person', ['dispatchId', 'personId'], { unique: true })
export class CallTaskEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'dispatch_id', type: 'uuid' })
  dispatchId!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  /** 0 = called at T0; n = reached by the n-th escalation. */
  @Column({ type: 'smallint', default: 0 })
  tier!: number;

  @Column({ type: 'jsonb' })
  reasons!: CallReason[];

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state!: CallTaskState;

  @Column({ name: 'requires_ack', type: 'boolean', default: true })
  requiresAck!: boolean;

  @Column({ name: 'deadline_at', type: 'timestamptz', nullable: true })
  deadlineAt!: Date | null;

  /** Index of the next rung of the channel ladder still to run. */
  @Column({ name: 'next_rung', type: 'smallint', default: 0 })
  nextRung!: number;

  /** Who to escalate to, step by step (everyone in a step at once), resolved when the task was created. */
  @Column({ name: 'escalation_path', type: 'jsonb', default: [] })
  escalationPath!: string[][];

  @Column({ name: 'escalated_from_task_id', type: 'uuid', nullable: true })
  escalatedFromTaskId!: string | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
