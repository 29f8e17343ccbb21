import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@app/common';
import { QueueName, queueLabel } from '@app/queue';
import { within } from './health-check';

/** The job states a queue's depth is reported in. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

const sources = new Set<() => Queue[]>();

/**
 * Depth and age of the queues, read from Redis at each scrape (they are shared by every replica: every app reports
 * the same numbers, so a dashboard takes max by queue). The oldest job is the one next in line, in the wait list and
 * in the prioritized set: how long it has been ready to run (delay included), 0 when nothing waits.
 */
const depth = new Gauge({
  name: 'jiaoying_queue_jobs',
  help: 'Jobs in each queue by state (waiting, prioritized, active, delayed, failed), read from Redis at scrape',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const queue of latest()) {
      const counts = await within(queue.getJobCounts(...QUEUE_STATES), 2000).catch(() => null);
      for (const state of QUEUE_STATES) {
        if (counts) {
          this.set({ queue: queueLabel(queue.name as QueueName), state }, counts[state] ?? 0);
        }
      }
    }
  },
});

const oldest = new Gauge({
  name: 'jiaoying_queue_oldest_job_age_seconds',
  help: 'Seconds the job next in line of each queue (wait list or prioritized) has been ready to run, read at scrape',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    const now = Date.now();
    for (const queue of latest()) {
      const next = await within(Promise.all([queue.getWaiting(0, 0), queue.getPrioritized(0, 0)]), 2000).catch(
        () => null,
      );
      if (next) {
        const ready = next
          .flat()
          .filter(Boolean)
          .map((j) => j.timestamp + (j.delay ?? 0));
        this.set(
          { queue: queueLabel(queue.name as QueueName) },
          ready.length ? Math.max(0, ...ready.map((t) => (now - t) / 1000)) : 0,
        );
      }
    }
  },
});

/** The queues of the app started last in this process (tests start several in one). */
function latest(): Queue[] {
  return [...sources].at(-1)?.() ?? [];
}

/** Reports these queues' depth and age at every scrape until the returned function is called. */
export function reportQueues(queues: () => Array<Queue | null>): () => void {
  const source = () => queues().filter((q): q is Queue => !!q);
  sources.add(source);
  return () => sources.delete(source);
}

export const QUEUE_METRICS = [depth, oldest];
