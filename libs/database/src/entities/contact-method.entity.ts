import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ContactChannel = 'sms' | 'voice' | 'email' | 'webhook';

@Entity('contact_methods')
export class ContactMethodEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ type: 'varchar', length: 16 })
  channel!: ContactChannel;

  @Column({ type: 'varchar', length: 320 })
  address!: string;

  @Column({ type: 'int', default: 0 })
  priority!: number;

  /** Set when a provider says the address cannot work (invalid number, bounced mailbox). */
  @Column({ name: 'invalid_at', type: 'timestamptz', nullable: true })
  invalidAt!: Date | null;

  @Column({ name: 'invalid_reason', type: 'varchar', length: 200, nullable: true })
  invalidReason!: string | null;
}
