import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One fan-out of a warning version, with the response spec it ran under frozen in `spec`. */
@Entity('dispatches')
export class DispatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid', unique: true })
  warningId!: string;

  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ name: 'recipient_count', type: 'int', default: 0 })
  recipientCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
