import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A reservoir, school, mine, scenic spot, construction site … that has responsible persons of its own. */
@Entity('protected_objects')
export class ProtectedObjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12 })
  adminUnitCode!: string;

  @Column({ type: 'geometry', spatialFeatureType: 'Point', srid: 4326, select: false })
  geom!: unknown;

  /** Thresholds and other type-specific attributes (e.g. 汛限水位). */
  @Column({ type: 'jsonb', default: {} })
  attrs!: Record<string, unknown>;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
