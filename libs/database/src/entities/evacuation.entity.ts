import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** 转到哪: a shelter (临时避灾场所) with its capacity. */
@Entity('shelters')
export class ShelterEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  @Column({ type: 'int' })
  capacity!: number;

  @Column({ type: 'geometry', spatialFeatureType: 'Point', srid: 4326, nullable: true, select: false })
  geom!: unknown;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}

/** One risk zone's evacuation during one warning chain: planned (转移谁) against reported moved, until return. */
@Entity('evacuations')
export class EvacuationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'chain_id', type: 'uuid' })
  chainId!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ name: 'risk_zone_id', type: 'uuid' })
  riskZoneId!: string;

  @Column({ name: 'shelter_id', type: 'uuid', nullable: true })
  shelterId!: string | null;

  @Column({ name: 'organiser_person_id', type: 'uuid', nullable: true })
  organiserPersonId!: string | null;

  @Column({ name: 'planned_households', type: 'int' })
  plannedHouseholds!: number;

  @Column({ name: 'planned_persons', type: 'int' })
  plannedPersons!: number;

  @Column({ name: 'planned_special', type: 'int' })
  plannedSpecial!: number;

  @Column({ type: 'varchar', length: 20, default: 'in_progress' })
  state!: 'in_progress' | 'return_authorised';

  @Column({ name: 'started_by', type: 'varchar', length: 100 })
  startedBy!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'return_authorised_at', type: 'timestamptz', nullable: true })
  returnAuthorisedAt!: Date | null;

  @Column({ name: 'return_authorised_by', type: 'varchar', length: 100, nullable: true })
  returnAuthorisedBy!: string | null;
}

/** A head count reported moved to a shelter (增量). */
@Entity('evacuation_reports')
export class EvacuationReportEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'evacuation_id', type: 'uuid' })
  evacuationId!: string;

  @Column({ name: 'shelter_id', type: 'uuid', nullable: true })
  shelterId!: string | null;

  @Column({ type: 'int' })
  households!: number;

  @Column({ type: 'int' })
  persons!: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note!: string | null;

  @Column({ name: 'reported_by', type: 'varchar', length: 100 })
  reportedBy!: string;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt!: Date;
}
