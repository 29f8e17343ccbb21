import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A vulnerable person (独居老人, 留守儿童 …) with the caller who must reach them one to one. Minimal data. */
@Entity('special_residents')
export class SpecialResidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Shown to the caller, e.g. "独居老人 王某（3组）". */
  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ name: 'group_type', type: 'varchar', length: 24 })
  groupType!: string;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  @Column({ name: 'risk_zone_id', type: 'uuid', nullable: true })
  riskZoneId!: string | null;

  @Column({ name: 'caller_person_id', type: 'uuid' })
  callerPersonId!: string;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
