import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only audit and timeline log. Triggers refuse UPDATE and DELETE and hash each row's content
 * at insert, so an edit by a superuser shows.
 */
@Entity('events')
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  @Column({ name: 'call_task_id', type: 'uuid', nullable: true })
  callTaskId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  /** who: 'system', 'api-key:<name>', 'person:<id>' … */
  @Column({ type: 'varchar', length: 100, default: 'system' })
  actor!: string;

  @Column({ type: 'jsonb', default: {} })
  data!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'char', length: 64, nullable: true })
  hash!: string | null;
}
