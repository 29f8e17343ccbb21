import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The short code in an SMS (GET /a/:code): redirects to the call's signed ack link, or to a notice's stored link. */
@Entity('short_links')
export class ShortLinkEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code!: string;

  @Column({ name: 'call_task_id', type: 'uuid', unique: true, nullable: true })
  callTaskId!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  url!: string | null;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

export type WebhookKind = 'signed' | 'dingtalk' | 'wecom';

/** An organisation's system or group robot; a contact method of channel 'webhook' names one by `name`. */
@Entity('webhook_endpoints')
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: WebhookKind;

  @Column({ type: 'varchar', length: 500 })
  url!: string;

  /** HMAC secret (signed, dingtalk); WeCom carries its key in the URL. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  secret!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  organization!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A receipt that arrived before the status write of its message; applied once the message id is known. */
@Entity('pending_receipts')
export class PendingReceiptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 200 })
  messageId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'delivered' | 'failed';

  @Column({ type: 'varchar', length: 64, nullable: true })
  code!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}

/** A resident's mobile registered for a risk zone's public warnings (area SMS); no answer is expected. */
@Entity('resident_phones')
export class ResidentPhoneEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'risk_zone_id', type: 'uuid' })
  riskZoneId!: string;

  @Column({ type: 'varchar', length: 20 })
  phone!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  label!: string | null;
}

/** An 应急广播 loudspeaker reached over MQTT at <prefix>/broadcast/<code>/play. */
@Entity('broadcast_devices')
export class BroadcastDeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'risk_zone_id', type: 'uuid', nullable: true })
  riskZoneId!: string | null;

  @Column({ name: 'admin_unit_code', type: 'varchar', length: 12, nullable: true })
  adminUnitCode!: string | null;

  /** Where it stands; without it the map places it in its risk zone, else its unit. */
  @Column({ type: 'geometry', spatialFeatureType: 'Point', srid: 4326, nullable: true, select: false })
  geom!: unknown;

  @Column({ type: 'boolean', default: true })
  active!: boolean;
}

/** One residents' public warning per warning and channel, sent right after matching, never gated on answers. */
@Entity('public_notices')
export class PublicNoticeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'warning_id', type: 'uuid' })
  warningId!: string;

  @Column({ type: 'varchar', length: 16 })
  channel!: 'sms' | 'broadcast';

  @Column({ name: 'zone_ids', type: 'uuid', array: true })
  zoneIds!: string[];

  /** The template (channel.key) and its variables, frozen when planned; text is what people get. */
  @Column({ name: 'template_key', type: 'varchar', length: 80 })
  templateKey!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, string>;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'int', default: 0 })
  recipients!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Up to one provider request of area SMS (same text, many numbers); receipts are counted per batch. */
@Entity('public_sms_batches')
export class PublicSmsBatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notice_id', type: 'uuid' })
  noticeId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'varchar', length: 20, array: true })
  phones!: string[];

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: 'queued' | 'sending' | 'accepted' | 'failed' | 'cancelled';

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @Column({ name: 'message_ids', type: 'varchar', length: 200, array: true, default: () => "'{}'" })
  messageIds!: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'smallint', default: 0 })
  tries!: number;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ type: 'int', default: 0 })
  delivered!: number;

  @Column({ type: 'int', default: 0 })
  undelivered!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** One loudspeaker playing one public warning: published over MQTT, then 'played' as the device reports. */
@Entity('broadcast_jobs')
export class BroadcastJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notice_id', type: 'uuid' })
  noticeId!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: 'queued' | 'sending' | 'published' | 'played' | 'failed' | 'cancelled';

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'smallint', default: 0 })
  tries!: number;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ name: 'played_at', type: 'timestamptz', nullable: true })
  playedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
