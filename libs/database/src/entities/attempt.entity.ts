import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ContactChannel } from './contact-method.entity';

/** queued → sending (claimed) → accepted (by the provider, with its message id) → delivered / failed (receipt). */
export type AttemptStatus = 'queued' | 'sending' | 'accepted' | 'delivered' | 'failed' | 'cancelled';

/** One message on one channel for one call task; idempotency_key is handed to providers that accept one. */
@Entity('attempts')
export class AttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'call_task_id', type: 'uuid' })
  callTaskId!: string;

  @Column({ type: 'varchar', length: 16 })
  channel!: ContactChannel;

  @Column({ name: 'contact_method_id', type: 'uuid' })
  contactMethodId!: string;

  @Column({ type: 'smallint' })
  rung!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 120, unique: true })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: AttemptStatus;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 200, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  /** When the provider accepted the message. */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** Sends tried (claims); a reclaim after a crash reuses the idempotency key. */
  @Column({ type: 'smallint', default: 0 })
  tries!: number;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** Email: written right before the final "." of DATA; a claim taken again after a crash does not resend it. */
  @Column({ name: 'handed_over_at', type: 'timestamptz', nullable: true })
  handedOverAt!: Date | null;

  /** Delivery receipt (or call result) time and the provider's code. */
  @Column({ name: 'receipt_at', type: 'timestamptz', nullable: true })
  receiptAt!: Date | null;

  @Column({ name: 'receipt_code', type: 'varchar', length: 64, nullable: true })
  receiptCode!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
