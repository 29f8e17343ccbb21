import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('persons')
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  title!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  organization!: string | null;

  /** The unit the person sits in (for region scoping and escalation). */
  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  /** A/B 角: who stands in when this person cannot. */
  @Column({ name: 'backup_person_id', type: 'uuid', nullable: true })
  backupPersonId!: string | null;

  /**
   * Who escalation reaches first: the person's own backup, else their first assignment's (by id) that names one.
   * The database keeps it (migration EffectiveBackups); never written from here.
   */
  @Column({ name: 'effective_backup_id', type: 'uuid', nullable: true, insert: false, update: false })
  effectiveBackupId!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
