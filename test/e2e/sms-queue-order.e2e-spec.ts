import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, Queue, Worker } from 'bullmq';
import { waitFor } from '@app/common';
import { ConfigModule, loadEnv } from '@app/config';
import { JobProducer, priorityForLevel, QueueModule, QueueName } from '@app/queue';

/**
 * The SMS queue's order on a real Redis: red before orange, and within a level the residents' area SMS batches
 * before single messages queued ahead of them (a batch is one request to up to 1,000 people).
 */
describe('the SMS queue: area batches ahead within their level', () => {
  let ctx: INestApplicationContext;
  let sms: Queue;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, QueueModule] }).compile();
    ctx = await moduleRef.init();
    sms = ctx.get<Queue>(getQueueToken(QueueName.DispatchSms));
    await sms.obliterate({ force: true });
  });

  afterAll(async () => {
    await sms?.obliterate({ force: true });
    await ctx?.close();
  });

  it('works red batches, red persons, orange batches, orange persons, in that order', async () => {
    const producer = ctx.get(JobProducer);
    // Single messages of persons (a page's messages handed back) queued first, red and orange.
    const persons = (level: number, n: number) =>
      producer.sendSmsLater(
        Array.from({ length: n }, (_, i) => ({ attemptId: `p${level}-${i}`, delayMs: 0 })),
        priorityForLevel(level),
      );
    await persons(2, 20);
    await persons(1, 200);
    await producer.sendPublicSms([
      { batchId: 'b2-0', level: 2 },
      { batchId: 'b1-0', level: 1 },
      { batchId: 'b1-1', level: 1 },
    ]);

    const worked: string[] = [];
    const worker = new Worker(
      QueueName.DispatchSms,
      (job: Job<{ attemptId?: string; batchId?: string }>) => {
        worked.push(job.data.batchId ?? job.data.attemptId ?? job.name);
        return Promise.resolve();
      },
      // Its own connections, which it closes.
      {
        connection: { url: loadEnv().redis.url, maxRetriesPerRequest: null },
        prefix: process.env.QUEUE_PREFIX,
        concurrency: 1,
      },
    );
    try {
      await waitFor(() => worked.length === 223, { what: 'every job worked', timeoutMs: 30_000 });
    } finally {
      await worker.close();
    }
    const kind = (id: string) => id.replace(/-\d+$/, '');
    const runs = worked.map(kind).filter((k, i, all) => i === 0 || all[i - 1] !== k);
    expect(runs).toEqual(['b1', 'p1', 'b2', 'p2']);
    expect(worked.slice(0, 2).sort()).toEqual(['b1-0', 'b1-1']);
  });
});
