import { Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { LoggedWorkerHost } from './logged-worker-host';
import {
  JOB_QUEUE,
  JobName,
  JobOutcome,
  JobPayloads,
  QueueName,
  WORKER_OPTIONS,
  queueForChannel,
} from './queue.constants';

/** The jobs a processor takes from its queue. */
export interface HandledJobs {
  queue: QueueName;
  jobs: readonly JobName[];
}

const CHANNEL_QUEUES = new Set(['email', 'sms', 'voice', 'webhook'].map(queueForChannel));
const declared = new Map<object, HandledJobs>();

/** Every job that is added to this queue (SendAttempt goes to each channel's queue). */
export function jobsOnQueue(queue: QueueName): JobName[] {
  return Object.values(JobName).filter((name) => {
    const target = JOB_QUEUE[name];
    return target === 'by-channel' ? CHANNEL_QUEUES.has(queue) : target === queue;
  });
}

/** A job named N, its payload typed by its name. */
export type JobOf<N extends JobName> = N extends JobName ? Job<JobPayloads[N], JobOutcome, N> : never;

/** One handler for each job a processor takes, each given its own job's payload. */
export type JobHandlers<N extends JobName> = { readonly [K in N]: (job: JobOf<K>) => Promise<JobOutcome> };

/**
 * A BullMQ processor for `queue` that handles exactly `jobs`: @Processor with our worker options, plus the
 * declaration the startup check reads. `concurrency` is per worker. The class must have a handler for each of `jobs`
 * (checked by the compiler).
 */
export function HandlesJobs<N extends JobName>(queue: QueueName, jobs: readonly N[], concurrency: number) {
  return (target: abstract new (...args: never[]) => { readonly handlers: JobHandlers<N> }): void => {
    declared.set(target, { queue, jobs });
    Processor(queue, { ...WORKER_OPTIONS, concurrency })(target);
  };
}

/**
 * The processor of one queue: each job goes to the handler for its name. A job the class did not declare with
 * @HandlesJobs fails for good (never retried) instead of running the wrong code.
 */
export abstract class QueueProcessor<N extends JobName> extends LoggedWorkerHost implements OnApplicationBootstrap {
  abstract readonly handlers: JobHandlers<N>;

  /** Jobs at a time per process, when it comes from config: replaces the @HandlesJobs figure once the app starts. */
  protected configuredConcurrency(): number | null {
    return null;
  }

  onApplicationBootstrap(): void {
    const concurrency = this.configuredConcurrency();
    if (concurrency !== null) {
      this.worker.concurrency = concurrency;
    }
  }

  process(job: Job): Promise<JobOutcome> {
    return this.route(job);
  }

  protected async route(job: Job): Promise<JobOutcome> {
    const declaration = declared.get(this.constructor);
    const name = job.name as N;
    if (!declaration?.jobs.includes(name) || !Object.hasOwn(this.handlers, name)) {
      throw new UnrecoverableError(`job ${job.name} does not belong on ${declaration?.queue ?? this.worker.name}`);
    }
    return (this.handlers[name] as (job: Job) => Promise<JobOutcome>)(job);
  }
}

export function handledJobs(processor: object): HandledJobs | undefined {
  return declared.get(processor);
}

/**
 * What is wrong with this set of processors: a job added to one of `queues` that no processor handles, or that two
 * handle, or a processor claiming a job that never reaches its queue. Empty when every job has exactly one handler.
 */
export function jobHandlerProblems(processors: readonly object[], queues: readonly QueueName[]): string[] {
  const problems: string[] = [];
  const handlers = new Map<string, string[]>();
  for (const p of processors) {
    const name = (p as { name?: string }).name ?? 'a processor';
    const h = declared.get(p);
    if (!h) {
      problems.push(`${name} does not declare its jobs (use @HandlesJobs)`);
      continue;
    }
    if (!queues.includes(h.queue)) {
      problems.push(`${name} consumes ${h.queue}, which is not one of this set's queues`);
    }
    for (const job of h.jobs) {
      if (!jobsOnQueue(h.queue).includes(job)) {
        problems.push(`${name} handles ${job}, which is never added to ${h.queue}`);
      }
      const key = `${h.queue}/${job}`;
      handlers.set(key, [...(handlers.get(key) ?? []), name]);
    }
  }
  for (const queue of queues) {
    for (const job of jobsOnQueue(queue)) {
      const by = handlers.get(`${queue}/${job}`) ?? [];
      if (by.length !== 1) {
        problems.push(
          `${job} on ${queue} has ${by.length} handlers${by.length ? ` (${by.join(', ')})` : ''}; it needs exactly one`,
        );
      }
    }
  }
  return problems;
}

/** At boot: a worker app refuses to start if a job on one of its queues has no handler, or two. */
export function assertJobHandlers(processors: readonly object[]): void {
  const queues = [
    ...new Set(processors.map((p) => declared.get(p)?.queue).filter((q): q is QueueName => q !== undefined)),
  ];
  const problems = jobHandlerProblems(processors, queues);
  if (problems.length) {
    throw new Error(`job handlers do not match the jobs: ${problems.join('; ')}`);
  }
}
