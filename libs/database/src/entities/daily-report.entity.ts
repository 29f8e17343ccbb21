import { Column, Entity, PrimaryColumn } from 'typeorm';

/** 日调度·日排名·日通报: the daily duty report of one day (China time), claimed once, then sent. */
@Entity('daily_reports')
export class DailyReportEntity {
  /** The day the report is about (yesterday when it is sent). */
  @PrimaryColumn({ name: 'report_date', type: 'date' })
  reportDate!: string;

  @Column({ name: 'region_code', type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ type: 'varchar', length: 1000 })
  recipients!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  subject!: string | null;

  @Column({ name: 'claimed_at', type: 'timestamptz' })
  claimedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
