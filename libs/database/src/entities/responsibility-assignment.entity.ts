import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TargetType = 'unit' | 'object' | 'zone';

/** One row of the statutory roster: a person in a role slot for a sector on a target (三个责任人, 网格员 …). */
@Entity('responsibility_assignments')
export class ResponsibilityAssignmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ type: 'varchar', length: 32 })
  sector!: string;

  @Column({ name: 'role_slot', type: 'varchar', length: 40 })
  roleSlot!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 8 })
  targetType!: TargetType;

  /** Admin unit code, protected object id or risk zone id, by target_type. */
  @Column({ name: 'target_id', type: 'varchar', length: 64 })
  targetId!: string;

  @Column({ name: 'backup_person_id', type: 'uuid', nullable: true })
  backupPersonId!: string | null;

  @Column({ name: 'valid_from', type: 'date', nullable: true })
  validFrom!: string | null;

  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo!: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
