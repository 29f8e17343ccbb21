import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { warmConnections } from './data-source';

/** Opens the connections the pool keeps (data-source.ts `min`) while the app boots, not on the first alert. */
@Injectable()
export class PoolWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger(PoolWarmup.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const n = warmConnections(this.config.database.poolMax);
    try {
      // Concurrent queries make the pool open n connections.
      await Promise.all(Array.from({ length: n }, () => this.dataSource.query('SELECT pg_sleep(0.01)')));
    } catch (e) {
      this.logger.warn({ msg: 'database pool warm-up failed', error: String(e) });
    }
  }
}
