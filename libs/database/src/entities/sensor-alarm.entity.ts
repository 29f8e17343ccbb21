import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The open warning chain of one station measure or fire area, so repeated readings start nothing new. */
@Entity('sensor_alarms')
export class SensorAlarmEntity {
  /** `station:<code>:level`, `station:<code>:rain`, `fire:<area code>` */
  @PrimaryColumn({ type: 'varchar', length: 120 })
  key!: string;

  @Column({ name: 'warning_id', type: 'uuid', nullable: true })
  warningId!: string | null;

  /** 1 = red … 4 = blue */
  @Column({ type: 'smallint' })
  level!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
