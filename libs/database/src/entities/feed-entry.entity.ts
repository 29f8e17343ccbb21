import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One entry of a feed index: fetched and ingested once; failures are kept with their error and retried. */
@Entity('feed_entries')
export class FeedEntryEntity {
  @PrimaryColumn({ name: 'source_id', type: 'varchar', length: 64 })
  sourceId!: string;

  /** The entry's id (Atom) or guid (RSS), else its link. */
  @PrimaryColumn({ name: 'entry_key', type: 'varchar', length: 500 })
  entryKey!: string;

  @Column({ name: 'cap_url', type: 'varchar', length: 1000 })
  capUrl!: string;

  /** An ingest outcome (created, duplicate, updated …) or 'fetch_failed' / 'invalid'. */
  @Column({ type: 'varchar', length: 32 })
  outcome!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'int', default: 1 })
  attempts!: number;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
