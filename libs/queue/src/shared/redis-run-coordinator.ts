import { Logger } from '@nestjs/common';
import type { RedisClient } from '../redis-connection';

/**
 * node-cron's run coordinator on Redis: of the replicas whose cron fires for the same slot (task name and scheduled
 * time), the first to set the slot's key runs it. When Redis does not answer every replica runs it: the sweep and the
 * feed polls are idempotent, so twice is harmless and never is not.
 */
export class RedisRunCoordinator {
  private readonly logger = new Logger(RedisRunCoordinator.name);

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    try {
      return (
        (await this.redis.set(
          `${this.prefix}:{cron}:${key}`,
          String(process.pid),
          'PX',
          Math.max(1000, ttlMs),
          'NX',
        )) === 'OK'
      );
    } catch (e) {
      this.logger.warn({ msg: `cron lease not taken, running anyway: ${(e as Error).message}`, key });
      return true;
    }
  }
}

/** node-cron options that run a task once per tick whatever the number of replicas (the first to take its lease). */
export function oncePerTick(
  redis: RedisClient,
  prefix: string,
): { distributed: true; runCoordinator: RedisRunCoordinator } {
  return { distributed: true, runCoordinator: new RedisRunCoordinator(redis, prefix) };
}
