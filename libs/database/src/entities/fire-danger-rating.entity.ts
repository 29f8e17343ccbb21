import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The daily forest-fire danger rating (森林火险等级 1–5) of an area. */
@Entity('fire_danger_ratings')
export class FireDangerRatingEntity {
  @PrimaryColumn({ name: 'area_code', type: 'varchar', length: 12 })
  areaCode!: string;

  @PrimaryColumn({ type: 'date' })
  date!: string;

  @Column({ type: 'smallint' })
  rating!: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
