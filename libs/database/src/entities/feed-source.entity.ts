import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Polling state of one configured CAP feed (config/feeds.json); the id is the config's. */
@Entity('feed_sources')
export class FeedSourceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'last_polled_at', type: 'timestamptz', nullable: true })
  lastPolledAt!: Date | null;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt!: Date | null;

  /** When the feed last listed an entry we had not seen: what the heartbeat watches. */
  @Column({ name: 'last_new_entry_at', type: 'timestamptz', nullable: true })
  lastNewEntryAt!: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
