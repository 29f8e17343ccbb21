import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { schedule, ScheduledTask } from 'node-cron';
import { APP_CONFIG, AppConfig } from '@app/config';
import { oncePerTick, REDIS, RedisClient } from '@app/queue';
import { EventChain } from '@app/database';
import { StrandedWorkSweeper } from '@app/response';

/** node-cron only triggers the sweep and the sealing of the event log, once per tick across every ingestor replica. */
@Injectable()
export class SweepCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweepCron.name);
  private task?: ScheduledTask;

  constructor(
    private readonly sweeper: StrandedWorkSweeper,
    private readonly chain: EventChain,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    this.task = schedule(
      this.config.sweep.cron,
      async () => {
        try {
          await this.sweeper.sweep();
        } catch (e) {
          this.logger.error({ msg: `sweep failed: ${(e as Error).message}` });
        }
        try {
          await this.chain.seal();
        } catch (e) {
          this.logger.error({ msg: `sealing the event log failed: ${(e as Error).message}` });
        }
      },
      { ...oncePerTick(this.redis, this.config.redis.queuePrefix), noOverlap: true, name: 'stranded-work-sweep' },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }
}
