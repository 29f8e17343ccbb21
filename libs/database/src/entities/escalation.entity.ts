import type { EscalationReasonName } from '@app/config';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type EscalationReason = EscalationReasonName;

@Entity('escalations')
export class EscalationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'from_task_id', type: 'uuid' })
  fromTaskId!: string;

  @Column({ name: 'to_task_id', type: 'uuid', nullable: true })
  toTaskId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  reason!: EscalationReason;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
