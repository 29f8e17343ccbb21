import type { AppConfig } from '@app/config';
import type { Queue } from 'bullmq';
import { ManualClock } from '@app/common';
import { JobProducer } from './job-producer';

/** A queue that records what was added; adding the sends takes 1.5 s of the clock, as a big addBulk does. */
function recordingQueue(name: string, log: string[], clock: ManualClock, cost = 0): Queue {
  return {
    addBulk: (jobs: Array<{ name: string; opts: { delay?: number } }>) => {
      jobs.forEach((j) => log.push(`${name} ${j.name} delay=${j.opts.delay ?? 0}`));
      clock.advance(cost);
      return Promise.resolve([]);
    },
  } as unknown as Queue;
}

describe('JobProducer.enqueuePlanned', () => {
  it('adds the sends, then the timers, their delays measured from when the timers are added', async () => {
    const planned = new Date('2026-07-01T08:00:00Z');
    const clock = new ManualClock(planned);
    const log: string[] = [];
    const q = (name: string, cost = 0) => recordingQueue(name, log, clock, cost);
    const producer = new JobProducer(
      q('matching'),
      q('email'),
      q('deadlines'),
      q('sms'),
      q('sms-pages', 1_500),
      q('public-sms'),
      q('voice'),
      q('webhook'),
      q('broadcast'),
      q('public'),
      q('notices'),
      clock,
      { timers: { escalationGatherMs: 1_500 } } as AppConfig,
    );
    await producer.enqueuePlanned(
      {
        sends: [{ attemptId: 'a1', channel: 'sms', level: 1 }],
        checks: [{ callTaskId: 't1', step: 'deadline', dueAt: new Date(planned.getTime() + 60_000) }],
      },
      planned,
    );
    expect(log).toEqual(['sms-pages SendAttemptPage delay=0', 'deadlines CheckCallTasks delay=58500']);
  });
});
