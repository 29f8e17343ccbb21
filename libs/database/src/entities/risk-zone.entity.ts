import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ZoneKind =
  | 'hazard_point'
  | 'risk_area'
  | 'flash_flood_danger_zone'
  | 'waterlogging_point'
  | 'flood_weak_point'
  | 'forest_area'
  | 'linear';

/** A 隐患点 / 风险区 / 山洪危险区 … with its geometry. */
@Entity('risk_zones')
export class RiskZoneEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'hazard_type', type: 'varchar', length: 32 })
  hazardType!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: ZoneKind;

  @Column({ name: 'risk_grade', type: 'varchar', length: 16, nullable: true })
  riskGrade!: string | null;

  @Column({ type: 'geometry', srid: 4326, select: false })
  geom!: unknown;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  @Column({ name: 'threatened_households', type: 'int', default: 0 })
  threatenedHouseholds!: number;

  @Column({ name: 'threatened_persons', type: 'int', default: 0 })
  threatenedPersons!: number;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: 'active' | 'treated' | 'closed';

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
