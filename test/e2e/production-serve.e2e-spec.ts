import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { freePort, openTestDataSource, resetDatabase } from '@app/testing';
import { waitHealthy } from '../support/app-processes';

const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/** Secrets of our own (not the repository's development ones) and real carriers by name. */
const PROPER = {
  ACK_SIGNING_KEYS: 'p1:Q2x8kV7mZr4tLw9sYb3nHc6dJf1gAe5uXp0o',
  PROVIDER_CALLBACK_SECRET: 'a-long-callback-secret-from-the-vault',
  SMS_PROVIDERS: 'tencent',
  VOICE_PROVIDERS: 'tencent-voice',
  TENCENT_SECRET_ID: 'AKID-test-only',
  TENCENT_SECRET_KEY: 'tencent-key-of-this-test',
};

/** `jiaoying serve api` as a container runs it: the built CLI, production mode, nothing but the environment. */
describe('production mode: jiaoying serve api', () => {
  let ds: DataSource;
  let port: number;
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-prod`,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    ...extra,
  });

  beforeAll(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    port = await freePort();
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('refuses to start with the development secrets and names every variable to set', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', 'api'], { env: env({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('生产模式拒绝启动');
    expect(stderr).toContain('production mode refuses to start');
    for (const variable of ['ACK_SIGNING_KEYS', 'PROVIDER_CALLBACK_SECRET', 'SMS_PROVIDERS', 'VOICE_PROVIDERS']) {
      expect(stderr).toContain(variable);
    }
    expect(stderr).not.toContain('development-only-signing-key');
    expect(
      await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');
  });

  it('starts with proper secrets, on the bind address given, without loading the demo or issuing a key', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', 'api'], {
      env: env({ ...PROPER, HTTP_HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitHealthy(`http://127.0.0.1:${port}/api/v1/health`);
      const [counts] = await ds.query<Array<Record<string, number>>>(
        `SELECT (SELECT count(*) FROM admin_units)::int AS units, (SELECT count(*) FROM persons)::int AS persons,
                (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM users)::int AS users`,
      );
      expect(counts).toEqual({ units: 0, persons: 0, keys: 0, users: 0 });
      expect(output).not.toMatch(/API key|Demo/);
      // The api answers on the address given, and still asks for a key.
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`, { method: 'POST' });
      expect(res.status).toBe(401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await waitFor(() => exited.then(() => true), { what: 'api stopped', timeoutMs: 15_000 });
    }
  });
});
