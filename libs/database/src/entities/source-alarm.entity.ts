import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A feed that went silent (or keeps failing): shown on the duty board until the source speaks again. */
@Entity('source_alarms')
export class SourceAlarmEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'source_id', type: 'varchar', length: 64 })
  sourceId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'silent' | 'failing';

  @Column({ type: 'varchar', length: 500 })
  message!: string;

  /** The duty desk that owns the source (admin unit code). */
  @Column({ name: 'region_code', type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  @Column({ name: 'cleared_at', type: 'timestamptz', nullable: true })
  clearedAt!: Date | null;
}
