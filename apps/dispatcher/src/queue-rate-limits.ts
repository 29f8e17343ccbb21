import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ProviderHealth, ProviderRegistry } from '@app/delivery';
import { QueueName } from '@app/queue';

/**
 * BullMQ's global limit per dispatch queue: the sum of its providers' TPS (per-provider buckets in ProviderHealth
 * spread the load and fail over). Stored in Redis, so it holds across every dispatcher process.
 */
@Injectable()
export class QueueRateLimits implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.DispatchSms) private readonly sms: Queue,
    @InjectQueue(QueueName.DispatchVoice) private readonly voice: Queue,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sum = (names: string[]) => names.reduce((s, n) => s + this.health.tps(n), 0);
    await this.sms.setGlobalRateLimit(sum(this.registry.sms.map((p) => p.name)), 1000);
    await this.voice.setGlobalRateLimit(sum(this.registry.voice.map((p) => p.name)), 1000);
  }
}
