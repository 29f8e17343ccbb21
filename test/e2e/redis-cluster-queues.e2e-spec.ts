import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { waitFor } from '@app/common';
import { ConfigModule, loadEnv } from '@app/config';
import {
  clusterNodes,
  createRedis,
  JobName,
  JobProducer,
  QUEUE_CLUSTER,
  QueueModule,
  QueueName,
  REDIS,
  RedisClient,
} from '@app/queue';
import { LocalRedisCluster } from '@app/testing';

/** The queues on a Redis Cluster of three masters: BullMQ's scripts run (no CROSSSLOT), and the queues spread. */
describe('queues on a Redis Cluster', () => {
  const cluster = new LocalRedisCluster();
  const saved = { ...process.env };
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    await cluster.start();
    Object.assign(process.env, { REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: 'jy-cluster' });
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, QueueModule] }).compile();
    ctx = await moduleRef.init();
  }, 60_000);

  afterAll(async () => {
    const queues = ctx?.get<RedisClient | null>(QUEUE_CLUSTER);
    await ctx?.close();
    // The queues share one Cluster connection that BullMQ does not own; a process exit closes it, a test does it here.
    queues?.disconnect();
    process.env = saved;
    await cluster.stop();
  });

  it('builds an ioredis Cluster from REDIS_CLUSTER_NODES, and a single Redis without it', () => {
    expect(ctx.get<RedisClient>(REDIS)).toBeInstanceOf(Cluster);
    expect(clusterNodes(loadEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-1:7001' }).redis)).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-1', port: 7001 },
    ]);
    expect(clusterNodes(loadEnv({}).redis)).toBeNull();
  });

  it('adds, counts and works jobs on every queue, and the queues live on more than one master', async () => {
    const producer = ctx.get(JobProducer);
    await producer.matchWarning('cluster-1', 1);
    for (const name of Object.values(QueueName)) {
      await expect(ctx.get<Queue>(getQueueToken(name)).getJobCounts()).resolves.toBeDefined();
    }
    const worked: string[] = [];
    const connection = createRedis(loadEnv().redis);
    const worker = new Worker(
      QueueName.Matching,
      (job: Job<{ warningId: string }>) => {
        worked.push(`${job.name}:${job.data.warningId}`);
        return Promise.resolve();
      },
      { connection, prefix: 'jy-cluster' },
    );
    try {
      await waitFor(() => worked.length === 1, { what: 'the job worked on the cluster' });
      expect(worked).toEqual([`${JobName.MatchWarning}:cluster-1`]);
    } finally {
      await worker.close();
      connection.disconnect();
    }
    const masters = await cluster.portsOf(Object.values(QueueName).map((name) => `jy-cluster:${name}:wait`));
    expect(new Set(masters).size).toBeGreaterThanOrEqual(2);
  });

  it('keeps shared state on the cluster through our own client', async () => {
    const redis = ctx.get<RedisClient>(REDIS);
    await redis.set('jy-cluster:{probe}', 'ok', 'PX', 5000);
    expect(await redis.get('jy-cluster:{probe}')).toBe('ok');
  });
});
