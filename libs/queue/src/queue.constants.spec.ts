import { JOB_QUEUE, JobName, QueueName, jobId, queueForChannel } from './queue.constants';

describe('queue contract', () => {
  it('gives every job a queue', () => {
    for (const name of Object.values(JobName)) {
      expect(JOB_QUEUE[name]).toBeDefined();
    }
  });

  it('builds ids BullMQ accepts: no colon, never all digits, distinct per step, due time and tasks', () => {
    const due = new Date('2026-07-01T08:00:00Z');
    const later = new Date(due.getTime() + 1);
    const ids = [
      jobId.match('123'), jobId.send('42'),
      jobId.checks(1, due, ['7']), jobId.checks(2, due, ['7']), jobId.checks('deadline', due, ['7']),
      jobId.checks('deadline', later, ['7']), jobId.checks('deadline', due, ['7', '8']),
    ];
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps deadlines off the dispatch queues', () => {
    expect(JOB_QUEUE[JobName.CheckCallTasks]).toBe(QueueName.Deadlines);
    expect(queueForChannel('email')).not.toBe(QueueName.Deadlines);
    expect(() => queueForChannel('pigeon')).toThrow('pigeon');
  });
});
