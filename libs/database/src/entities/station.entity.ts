import type { LevelName } from '@app/config';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type StationKind = 'river' | 'reservoir' | 'rain';

/** A rainfall threshold: at least `mm` within the last `hours` (1, 3 or 24) gives `colour`. */
export interface RainThreshold {
  hours: 1 | 3 | 24;
  mm: number;
  colour: LevelName;
}

/** A hydrology (river), reservoir or rain-gauge station with its thresholds (警戒/保证/汛限水位, rainfall). */
@Entity('stations')
export class StationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: StationKind;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  @Column({ type: 'geometry', spatialFeatureType: 'Point', srid: 4326, nullable: true, select: false })
  geom!: unknown;

  /** 警戒水位 (m) */
  @Column({ name: 'warning_level', type: 'numeric', precision: 8, scale: 2, nullable: true })
  warningLevel!: string | null;

  /** 保证水位 (m) */
  @Column({ name: 'guaranteed_level', type: 'numeric', precision: 8, scale: 2, nullable: true })
  guaranteedLevel!: string | null;

  /** 汛限水位 (m), reservoirs */
  @Column({ name: 'flood_limit_level', type: 'numeric', precision: 8, scale: 2, nullable: true })
  floodLimitLevel!: string | null;

  @Column({ name: 'rain_thresholds', type: 'jsonb', default: [] })
  rainThresholds!: RainThreshold[];

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
