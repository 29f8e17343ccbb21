import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type DraftState = 'draft' | 'issued' | 'discarded';

/** A warning a duty officer is preparing: content, required and given approvals, and what it became. */
@Entity('warning_drafts')
export class WarningDraftEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  state!: DraftState;

  /** Set when the draft is an Update (upgrade, downgrade, area change) of an issued warning. */
  @Column({ name: 'updates_warning_id', type: 'uuid', nullable: true })
  updatesWarningId!: string | null;

  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  @Column({ name: 'approvals_required', type: 'smallint', default: 0 })
  approvalsRequired!: number;

  /** [{ by, at }]: who approved, other than the author. */
  @Column({ type: 'jsonb', default: [] })
  approvals!: Array<{ by: string; at: string }>;

  /** { by, at, comment }: sent back to the author by a second officer; cleared when the draft is edited. */
  @Column({ type: 'jsonb', nullable: true })
  returned!: { by: string; at: string; comment: string } | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;

  @Column({ name: 'region_code', type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ name: 'issued_warning_id', type: 'uuid', nullable: true })
  issuedWarningId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
