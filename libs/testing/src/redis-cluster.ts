import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from '@app/common';

const run = promisify(execFile);

/**
 * A local Redis Cluster of three masters from Debian's redis-server, each its own process in a temporary directory,
 * joined by `redis-cli --cluster create`: for the cluster specs (ports from TEST_REDIS_CLUSTER_PORT, first of three,
 * default 7100) and the benchmarks run with BENCH_REDIS_CLUSTER=1 (bench-kit). Nothing is kept on disk, and the
 * servers end with the process that started them.
 */
export class LocalRedisCluster {
  readonly ports: number[];
  private readonly dir = mkdtempSync(join(tmpdir(), 'jy-redis-cluster-'));
  private readonly servers: ChildProcess[] = [];

  constructor(first = Number(process.env.TEST_REDIS_CLUSTER_PORT ?? 7100)) {
    this.ports = [first, first + 1, first + 2];
  }

  /** REDIS_CLUSTER_NODES for the apps. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async start(): Promise<void> {
    process.once('exit', () => this.servers.forEach((s) => s.kill('SIGTERM')));
    for (const port of this.ports) {
      this.servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '5000',
            '--dir',
            this.dir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--maxmemory-policy',
            'noeviction',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of this.ports) {
      await waitFor(
        () =>
          new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 }).ping().then(
            () => true,
            () => false,
          ),
        { what: `redis ${port}` },
      );
    }
    await run('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
    await waitFor(
      async () => {
        const states = await Promise.all(
          this.ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout)),
        );
        return states.every((s) => s.includes('cluster_state:ok'));
      },
      { what: 'redis cluster state ok', timeoutMs: 30_000 },
    );
  }

  /** The port of the master that holds each key. */
  async portsOf(keys: string[]): Promise<number[]> {
    const redis = new Redis(this.ports[0], '127.0.0.1');
    try {
      const slots = (await redis.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      return Promise.all(
        keys.map(async (key) => {
          const slot = Number(await redis.cluster('KEYSLOT', key));
          return slots.find(([from, to]) => slot >= from && slot <= to)?.[2][1] ?? -1;
        }),
      );
    } finally {
      redis.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise((resolve) => {
            if (s.exitCode !== null) {
              resolve(null);
              return;
            }
            s.once('exit', resolve);
            s.kill('SIGTERM');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
