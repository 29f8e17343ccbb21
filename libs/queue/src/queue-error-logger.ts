import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { QueueName } from './queue.constants';

/**
 * A Queue emits 'error' when Redis goes away; with no listener Node would crash the process.
 * Log it instead: ioredis reconnects, and /health reports Redis down meanwhile.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger(QueueErrorLogger.name);
  private lastLogged = 0;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('error', (error: Error) => this.log(name, error));
    }
  }

  private log(queue: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastLogged > 5_000) {
      this.lastLogged = now;
      this.logger.warn({ msg: `queue connection error: ${error.message}`, queue });
    }
  }
}
