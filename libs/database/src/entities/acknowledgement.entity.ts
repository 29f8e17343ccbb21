import type { AnswerName } from '@app/config';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AckMethod = 'link' | 'sms_reply' | 'keypress' | 'manual';
export type AckResponse = AnswerName;

/** The one answer to a call task. The first wins; it is never overwritten. */
@Entity('acknowledgements')
export class AcknowledgementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'call_task_id', type: 'uuid', unique: true })
  callTaskId!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ type: 'varchar', length: 16 })
  method!: AckMethod;

  @Column({ type: 'varchar', length: 16 })
  response!: AckResponse;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note!: string | null;

  @Column({ name: 'head_count', type: 'int', nullable: true })
  headCount!: number | null;

  /** Answered after the task had already been escalated. */
  @Column({ type: 'boolean', default: false })
  late!: boolean;

  @Column({ name: 'acknowledged_at', type: 'timestamptz' })
  acknowledgedAt!: Date;
}
