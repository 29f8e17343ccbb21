import {
  DEFAULT_JOB_OPTIONS,
  JOB_QUEUE,
  JobName,
  OUTLAST_OUTAGE,
  QueueName,
  jobId,
  outlastOutageDelay,
  queueForChannel,
} from './queue.constants';

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
      jobId.match('123'),
      jobId.send('42'),
      jobId.checks(1, due, ['7']),
      jobId.checks(2, due, ['7']),
      jobId.checks('deadline', due, ['7']),
      jobId.checks('deadline', later, ['7']),
      jobId.checks('deadline', due, ['7', '8']),
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

  it('retries matching and timers for longer than a database or Redis outage of minutes, 30 s apart at most', () => {
    const delays = Array.from({ length: OUTLAST_OUTAGE.attempts - 1 }, (_, i) => outlastOutageDelay(i + 1));
    expect(delays.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
    expect(Math.max(...delays)).toBe(30_000);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(15 * 60_000);
    for (const name of [
      JobName.MatchWarning,
      JobName.MatchChunk,
      JobName.CheckCallTasks,
      JobName.ExpireWarning,
      JobName.CheckOrderTarget,
    ]) {
      expect(DEFAULT_JOB_OPTIONS[name].backoff).toEqual(OUTLAST_OUTAGE.backoff);
    }
  });
});
