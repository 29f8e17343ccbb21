import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { ReceiptService } from '../inbound/receipts.service';
import { ProviderRegistry } from '../providers/provider-registry';
import { ProviderHealth } from './provider-health';

const EVERY_MS = 2000;
const WINDOW_MS = 60_000;

/**
 * In the dispatcher, every 2 s: feeds each provider's circuit with its delivery rate over the last minute
 * (receipts land in PostgreSQL through the API), and applies receipts that arrived before their status write.
 */
@Injectable()
export class DeliveryRateMonitor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryRateMonitor.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: ProviderHealth,
    private readonly receipts: ReceiptService,
    private readonly registry: ProviderRegistry,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.tick()
          .catch((e: Error) => this.logger.warn({ msg: `delivery monitor: ${e.message}` }))
          .finally(() => (this.running = null));
      }
    }, EVERY_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }

  async tick(): Promise<void> {
    await this.receipts.applyPending();
    const now = this.clock.now().getTime();
    for (const provider of this.registry.sms.map((p) => p.name)) {
      const breaker = this.health.breaker(provider);
      if (breaker.state !== 'closed') {
        continue;
      }
      const [r] = await this.dataSource.query<Array<{ delivered: number; failed: number }>>(
        `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM attempts WHERE receipt_at > $1 AND provider = $2 AND channel = 'sms'`,
        [new Date(Math.max(now - WINDOW_MS, breaker.closedAt)), provider],
      );
      if (breaker.deliveryRate(r.delivered, r.failed)) {
        this.logger.warn({ msg: 'provider circuit opened', provider, reason: breaker.reason });
      }
    }
  }
}
