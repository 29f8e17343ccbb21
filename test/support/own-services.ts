import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitFor } from '@app/common';

/**
 * A Redis of the test's own, on a port of its own, that the test may stop and start again (the shared one on 6379
 * never): append-only file on, as BullMQ is run in production, so its jobs survive a restart.
 */
export class OwnRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'jiaoying-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server; a no-op while it runs (a second one on the same port would exit and leave the first unowned). */
  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      return;
    }
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', ''],
      { stdio: 'ignore' },
    );
    await waitFor(
      () => {
        try {
          return execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG';
        } catch {
          return false;
        }
      },
      { what: `redis on ${this.port}`, timeoutMs: 20_000, intervalMs: 50 },
    );
  }

  /** SIGTERM: Redis writes its append-only file and exits; clients see their connections close. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp directory, its own port and socket directory) that the
 * test may stop with `-m immediate` and start again; the shared server on 5432 is never touched. Run as the
 * `postgres` user when the test runs as root (PostgreSQL refuses root).
 */
export class OwnPostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'jiaoying-pg-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/jiaoying`;
  }

  private run(bin: string, args: string[]): void {
    const asRoot = process.getuid?.() === 0;
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]]
      : [join(PG_BIN, bin), args];
    execFileSync(cmd, argv, { stdio: 'ignore' });
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) {
      execFileSync('chown', ['postgres', this.dir]);
    }
    this.run('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    this.start();
    const admin = new Client({ connectionString: this.url.replace(/\/jiaoying$/, '/postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE jiaoying');
    await admin.end();
  }

  start(): void {
    this.run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  }

  /** `-m immediate`: every backend is cut at once, no checkpoint; recovery replays the WAL at the next start. */
  stopImmediate(): void {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', 'stop']);
  }

  destroy(): void {
    try {
      this.stopImmediate();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
