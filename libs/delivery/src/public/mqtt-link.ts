import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { connect, MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { PublicNoticesRepository } from '@app/database';

/** Topics of a loudspeaker: we publish play orders, the device reports its status (retained). */
const broadcastTopics = (prefix: string, deviceCode: string) => ({
  play: `${prefix}/broadcast/${deviceCode}/play`,
  status: `${prefix}/broadcast/${deviceCode}/status`,
});

export interface PlayOrder {
  jobId: string;
  warningId: string;
  text: string;
  repeat: number;
  level: number | null;
  isDrill: boolean;
}

export interface DeviceStatus {
  jobId: string;
  status: 'played' | 'failed';
  at?: string;
  error?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The dispatcher's MQTT connection to the broker (Mosquitto): publishes play orders with QoS 1 and records the
 * devices' "played" reports. Devices retain their last status, so a report sent while we were away is read on
 * reconnect.
 */
@Injectable()
export class MqttLink implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MqttLink.name);
  private client: MqttClient | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publicNotices: PublicNoticesRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { url, topicPrefix } = this.config.delivery.mqtt;
    this.client = connect(url, {
      clientId: `jiaoying-dispatcher-${process.pid}-${randomBytes(3).toString('hex')}`,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    });
    this.client.on('connect', () => {
      this.client?.subscribe(broadcastTopics(topicPrefix, '+').status, { qos: 1 }, (err) => {
        if (err) {
          this.logger.warn({ msg: `mqtt subscribe failed: ${err.message}` });
        }
      });
    });
    this.client.on('error', (err) => this.logger.warn({ msg: `mqtt: ${err.message}` }));
    this.client.on('message', (_topic, payload) => {
      void this.recordStatus(payload).catch((e: Error) =>
        this.logger.warn({ msg: `device status not recorded: ${e.message}` }),
      );
    });
  }

  async publish(deviceCode: string, order: PlayOrder): Promise<void> {
    if (!this.client?.connected) {
      throw new TransientError('MQTT broker not connected (应急广播通道不可用)');
    }
    await this.client.publishAsync(
      broadcastTopics(this.config.delivery.mqtt.topicPrefix, deviceCode).play,
      JSON.stringify(order),
      { qos: 1 },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.client?.endAsync();
  }

  private async recordStatus(payload: Buffer): Promise<void> {
    const s = JSON.parse(payload.toString('utf8')) as Partial<DeviceStatus>;
    if (typeof s.jobId !== 'string' || !UUID.test(s.jobId) || (s.status !== 'played' && s.status !== 'failed')) {
      return;
    }
    const at = s.at && Number.isFinite(Date.parse(s.at)) ? new Date(s.at) : this.clock.now();
    const error = s.status === 'failed' ? String(s.error ?? 'device failed') : null;
    await this.publicNotices.recordPlayed(this.dataSource.manager, s.jobId, s.status, at, error);
  }
}
