import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { schedule, ScheduledTask } from 'node-cron';
import { FeedHeartbeatService, FeedPollService, FeedSourceConfig, loadFeedConfig } from '@app/alerts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { oncePerTick, REDIS, RedisClient } from '@app/queue';

/** How often every feed's heartbeat is checked. */
const HEARTBEAT_CRON = '*/1 * * * *';

/** node-cron only triggers: one poll task per enabled feed (config/feeds.json) and one heartbeat check. */
@Injectable()
export class FeedPollCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedPollCron.name);
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly polls: FeedPollService,
    private readonly heartbeat: FeedHeartbeatService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    const sources = loadFeedConfig(this.config.ingest.feedsFile).filter((s) => s.enabled);
    for (const source of sources) {
      this.tasks.push(
        schedule(source.cron, () => this.poll(source), {
          ...oncePerTick(this.redis, this.config.redis.queuePrefix),
          noOverlap: true,
          name: `feed-${source.id}`,
        }),
      );
    }
    if (sources.length > 0) {
      this.tasks.push(
        schedule(HEARTBEAT_CRON, () => this.checkHeartbeats(sources), {
          ...oncePerTick(this.redis, this.config.redis.queuePrefix),
          noOverlap: true,
          name: 'feed-heartbeat',
        }),
      );
    }
    this.logger.log({ msg: 'feed pollers scheduled', sources: sources.map((s) => s.id) });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks) {
      await task.stop();
    }
  }

  private async poll(source: FeedSourceConfig): Promise<void> {
    try {
      await this.polls.poll(source);
    } catch (e) {
      this.logger.error({ msg: `feed poll crashed: ${(e as Error).message}`, sourceId: source.id });
    }
  }

  private async checkHeartbeats(sources: FeedSourceConfig[]): Promise<void> {
    try {
      await this.heartbeat.check(sources);
    } catch (e) {
      this.logger.error({ msg: `heartbeat check failed: ${(e as Error).message}` });
    }
  }
}
