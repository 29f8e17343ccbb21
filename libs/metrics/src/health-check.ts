import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';

/** Rejects after `ms`; the timer is cleared either way so it never holds the process open. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface Health {
  ok: boolean;
  body: { status: 'ok' | 'degraded'; postgres: 'up' | 'down'; redis: 'up' | 'down' };
}

/** Every app's health: PostgreSQL and Redis answer within 2 s (the api's /api/v1/health, a worker's /health). */
export async function checkHealth(dataSource: DataSource, queue: Queue): Promise<Health> {
  const [postgres, redis] = await Promise.all([
    within(dataSource.query('SELECT 1'), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    ),
    within(queue.getJobCounts('waiting'), 2000).then(
      () => 'up' as const,
      () => 'down' as const,
    ),
  ]);
  const ok = postgres === 'up' && redis === 'up';
  return { ok, body: { status: ok ? 'ok' : 'degraded', postgres, redis } };
}

/** /metrics with METRICS_TOKEN set asks for `Authorization: Bearer <token>`; without one it is open. */
export function metricsAllowed(token: string, authorization: string | undefined): boolean {
  return token === '' || authorization === `Bearer ${token}`;
}
