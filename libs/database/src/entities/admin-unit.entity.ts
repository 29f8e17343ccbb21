import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AdminLevel = 'province' | 'city' | 'county' | 'town' | 'village';

/** A division of the official tree, keyed by its code (6 digits county, 9 town, 12 village). */
@Entity('admin_units')
export class AdminUnitEntity {
  @PrimaryColumn({ type: 'varchar', length: 12 })
  code!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 10 })
  level!: AdminLevel;

  @Column({ name: 'parent_code', type: 'varchar', length: 12, nullable: true })
  parentCode!: string | null;

  /** Optional outline; towns in the demo have synthetic ones (see geom_synthetic). */
  @Column({ type: 'geometry', spatialFeatureType: 'MultiPolygon', srid: 4326, nullable: true, select: false })
  geom!: unknown;

  @Column({ name: 'geom_synthetic', type: 'boolean', default: false })
  geomSynthetic!: boolean;
}
