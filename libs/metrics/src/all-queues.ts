import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '@app/queue';

/** Every queue of the app (the QueueModule's own instances), in QueueName order: for /metrics and Bull Board. */
export const ALL_QUEUES = Symbol('ALL_QUEUES');

export const allQueues = {
  provide: ALL_QUEUES,
  inject: Object.values(QueueName).map((name) => getQueueToken(name)),
  useFactory: (...queues: Queue[]) => queues,
};
