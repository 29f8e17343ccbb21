import { LoggerService, LogLevel } from '@nestjs/common';
import { maskSensitive } from './mask';

type Sink = (line: string) => void;

/**
 * One JSON object per line on stdout, with phone numbers, emails and tokens masked.
 * Context (class name) and any ids passed as an object are kept as fields.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly app: string,
    private readonly levels: LogLevel[] = ['log', 'error', 'warn', 'fatal'],
    private readonly sink: Sink = (line) => process.stdout.write(line + '\n'),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.levels.includes(level)) {
      return;
    }
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, app: this.app, context };
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      Object.assign(entry, message);
    } else {
      entry.msg = message instanceof Error ? message.message : String(message);
    }
    const stack = rest.find((r) => typeof r === 'string' || r instanceof Error);
    if (stack) {
      entry.stack = stack instanceof Error ? stack.stack : stack;
    }
    this.sink(maskSensitive(JSON.stringify(entry)));
  }
}
