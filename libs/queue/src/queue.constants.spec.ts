import { JOB_QUEUE, JobName, QueueName, jobId, queueForChannel } from './queue.constants';

describe('queue contract', () => {
  it('gives every job a queue', () => {
    for (const name of Object.values(JobName)) {
      expect(JOB_QUEUE[name]).toBeDefined();
    }
  });

  it('builds ids BullMQ accepts: no colon, never all digits, distinct per step', () => {
    const ids = [jobId.match('123'), jobId.send('42'), jobId.check('7', 0), jobId.check('7', 1), jobId.check('7', 'deadline')];
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps deadlines off the dispatch queues', () => {
    expect(JOB_QUEUE[JobName.CheckCallTask]).toBe(QueueName.Deadlines);
    expect(queueForChannel('email')).not.toBe(QueueName.Deadlines);
    expect(() => queueForChannel('pigeon')).toThrow('pigeon');
  });
});
