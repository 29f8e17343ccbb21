import { DelayedError, Job } from 'bullmq';

/** The job's work cannot be done just now, through no failure: run it again after `delayMs`, using up no retry. */
export class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** In a processor: moves the job back to the delayed set and tells BullMQ so (it then counts no attempt). */
export async function retryLater(job: Job, token: string | undefined, e: RetryLaterError): Promise<never> {
  await job.moveToDelayed(Date.now() + e.delayMs, token);
  throw new DelayedError(e.message);
}
