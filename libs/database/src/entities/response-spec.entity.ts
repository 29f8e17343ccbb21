import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One version of the response specs (一行业一措施、一乡镇一方案); the newest is active. Rows are never edited. */
@Entity('response_specs')
export class ResponseSpecEntity {
  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The API key name that saved it, or 'config' for the defaults loaded on first start. */
  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;
}
