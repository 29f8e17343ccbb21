import { LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from './json-logger';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function levelsUpTo(level: string): LogLevel[] {
  const i = ORDER.indexOf(level as LogLevel);
  return ORDER.slice(0, i < 0 ? 4 : i + 1);
}

/**
 * Starts a worker app (no HTTP). Shutdown hooks let BullMQ workers finish or return their jobs and close
 * connections on SIGTERM/SIGINT.
 */
export async function runWorkerApp(module: Type<unknown>, name: string): Promise<void> {
  const logger = new JsonLogger(name, levelsUpTo(process.env.LOG_LEVEL ?? 'log'));
  const app = await NestFactory.createApplicationContext(module, { logger });
  app.enableShutdownHooks();
  await app.init();
  logger.log({ msg: `${name} started`, pid: process.pid }, 'main');
}
