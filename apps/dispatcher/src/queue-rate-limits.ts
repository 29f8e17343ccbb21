import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ProviderHealth, ProviderRegistry } from '@app/delivery';
import { QueueName, SMS_PAGE_SIZE } from '@app/queue';

/**
 * BullMQ's global limit per dispatch queue: the sum of its providers' TPS (per-provider buckets in ProviderHealth
 * spread the load and fail over). Stored in Redis, so it holds across every dispatcher process. The pages' queue
 * counts pages: its limit is the same sum in pages of SMS_PAGE_SIZE.
 */
@Injectable()
export class QueueRateLimits implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.DispatchSms) private readonly sms: Queue,
    @InjectQueue(QueueName.DispatchSmsPages) private readonly smsPages: Queue,
    @InjectQueue(QueueName.DispatchVoice) private readonly voice: Queue,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sum = (names: string[]) => names.reduce((s, n) => s + this.health.tps(n), 0);
    const smsTps = sum(this.registry.sms.map((p) => p.name));
    await this.sms.setGlobalRateLimit(smsTps, 1000);
    await this.smsPages.setGlobalRateLimit(Math.max(1, Math.floor(smsTps / SMS_PAGE_SIZE)), 1000);
    await this.voice.setGlobalRateLimit(sum(this.registry.voice.map((p) => p.name)), 1000);
  }
}
