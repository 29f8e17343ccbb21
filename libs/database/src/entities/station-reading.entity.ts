import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** One observation: water level (m) and/or rainfall (mm) in the interval ending at `at`. */
@Entity('station_readings')
@Unique(['stationId', 'at'])
export class StationReadingEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'station_id', type: 'uuid' })
  stationId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'water_level', type: 'numeric', precision: 8, scale: 2, nullable: true })
  waterLevel!: string | null;

  @Column({ name: 'rainfall_mm', type: 'numeric', precision: 8, scale: 2, nullable: true })
  rainfallMm!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
