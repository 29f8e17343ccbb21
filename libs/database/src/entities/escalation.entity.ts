import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type EscalationReason = 'no_ack' | 'unreachable' | 'cannot_comply';

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
