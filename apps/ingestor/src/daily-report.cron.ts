import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { schedule, ScheduledTask } from 'node-cron';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { reportDateFor } from '@app/desk';
import { JobProducer, oncePerTick, REDIS, RedisClient } from '@app/queue';

/**
 * node-cron only enqueues the daily duty report about yesterday (China time), once per tick across every replica
 * (the Redis cron lease); the job's id is the day, and the worker sends a day once (daily_reports).
 */
@Injectable()
export class DailyReportCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DailyReportCron.name);
  private task?: ScheduledTask;
  /** Ticks this replica ran (the others' leases excluded): tests wait on it, people may read it in a debugger. */
  ticks = 0;

  constructor(
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.dailyReport.to.length === 0) {
      return;
    }
    this.task = schedule(
      this.config.dailyReport.cron,
      async () => {
        try {
          await this.producer.sendDailyReport(reportDateFor(this.clock.now()));
        } catch (e) {
          this.logger.error({ msg: `daily report not enqueued: ${(e as Error).message}` });
        }
        this.ticks++;
      },
      {
        ...oncePerTick(this.redis, this.config.redis.queuePrefix),
        noOverlap: true,
        name: 'daily-report',
        timezone: 'Asia/Shanghai',
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }
}
