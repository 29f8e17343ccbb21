import type { LevelName } from '@app/config';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type WarningState = 'received' | 'matching' | 'tracking' | 'superseded' | 'lifted' | 'expired' | 'closed';
export type WarningStatus = 'actual' | 'exercise' | 'test';
export type WarningColour = LevelName;

/** One version of a warning. Versions of the same warning share chain_id; `references` links to the prior one. */
@Entity('warnings')
@Index('uq_warnings_sender_identifier_sent', ['sender', 'identifier', 'sent'], { unique: true })
export class WarningEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'chain_id', type: 'uuid' })
  chainId!: string;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ type: 'varchar', length: 16 })
  source!: 'cap' | 'officer' | 'feed' | 'sensor';

  @Column({ type: 'varchar', length: 255 })
  sender!: string;

  @Column({ type: 'varchar', length: 255 })
  identifier!: string;

  @Column({ type: 'timestamptz' })
  sent!: Date;

  @Column({ name: 'msg_type', type: 'varchar', length: 8 })
  msgType!: 'alert' | 'update' | 'cancel';

  @Column({ type: 'varchar', length: 8 })
  status!: WarningStatus;

  @Column({ name: 'hazard_type', type: 'varchar', length: 32 })
  hazardType!: string;

  @Column({ type: 'varchar', length: 200 })
  event!: string;

  /** 1 = red … 4 = blue; null for advisories. */
  @Column({ type: 'smallint', nullable: true })
  level!: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  colour!: WarningColour | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  severity!: string | null;

  @Column({ type: 'varchar', length: 300 })
  headline!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', default: '' })
  instruction!: string;

  @Column({ type: 'varchar', length: 16, default: 'zh-CN' })
  language!: string;

  @Column({ name: 'area_desc', type: 'text', default: '' })
  areaDesc!: string;

  /** Polygons and circles (as polygons) of the area, WGS84. */
  @Column({
    name: 'area_geom',
    type: 'geometry',
    spatialFeatureType: 'MultiPolygon',
    srid: 4326,
    nullable: true,
    select: false,
  })
  areaGeom!: unknown;

  /** The circles of the area as given ({lon, lat, radiusKm}), matched with ST_DWithin on geography. */
  @Column({ name: 'area_circles', type: 'jsonb', default: [] })
  areaCircles!: Array<{ lon: number; lat: number; radiusKm: number }>;

  /** Division codes named by geocodes; a code covers every unit under it. */
  @Column({ name: 'area_codes', type: 'varchar', array: true, default: '{}' })
  areaCodes!: string[];

  @Column({ type: 'text', nullable: true })
  references!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  onset!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'received' })
  state!: WarningState;

  @Column({ name: 'is_drill', type: 'boolean', default: false })
  isDrill!: boolean;

  @Column({ type: 'text', nullable: true, select: false })
  raw!: string | null;

  /** Empty optional elements of the message that were ignored, e.g. an empty <references/>. */
  @Column({ name: 'ingest_notes', type: 'jsonb', default: [] })
  ingestNotes!: Array<{ field: string; note: string }>;

  /** 无匹配对象: why this warning called nobody (null when it matched someone). */
  @Column({ name: 'unmatched_reason', type: 'varchar', length: 32, nullable: true })
  unmatchedReason!: UnmatchedReason | null;

  @Column({ name: 'unmatched_detail', type: 'text', nullable: true })
  unmatchedDetail!: string | null;

  @Column({ name: 'unmatched_at', type: 'timestamptz', nullable: true })
  unmatchedAt!: Date | null;

  @Column({ name: 'unmatched_dismissed_at', type: 'timestamptz', nullable: true })
  unmatchedDismissedAt!: Date | null;

  @Column({ name: 'unmatched_dismissed_by', type: 'varchar', length: 120, nullable: true })
  unmatchedDismissedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Why a warning matched nobody: no area at all, outside every known unit, no zones/objects of its hazard there, nobody on their roster. */
export type UnmatchedReason = 'no_area' | 'outside_units' | 'no_zones_or_objects' | 'no_persons';
