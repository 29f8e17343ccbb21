import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** 分片包干: a leader answers for a unit one tier down (区领导包镇, 镇领导包村, 村干部包组). */
@Entity('contracting_assignments')
export class ContractingAssignmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'leader_person_id', type: 'uuid' })
  leaderPersonId!: string;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  /** Tier of the leader: county leader contracting a town, town leader contracting a village … */
  @Column({ type: 'varchar', length: 16 })
  level!: 'county_town' | 'town_village' | 'village_group';

  /** null means every sector. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  sector!: string | null;

  @Column({ name: 'valid_from', type: 'date', nullable: true })
  validFrom!: string | null;

  /** Ended 包干 (a leader moved on) keeps its row for the record; matching ignores it after this date. */
  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo!: string | null;
}
