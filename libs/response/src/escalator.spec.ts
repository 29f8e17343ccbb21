import { ManualClock } from '@app/common';
import type { EventLog } from '@app/database';
import type { CheckJob, JobProducer, SendJob } from '@app/queue';
import type { CallPlanner } from './call-planner';
import { Escalator } from './escalator';
import type { PerformanceLog } from './performance-log';

describe('Escalator.enqueue', () => {
  it('measures timer delays from when the timers are added, after the sends (not from when the work was planned)', async () => {
    const planned = new Date('2026-07-01T08:00:00Z');
    const clock = new ManualClock(planned);
    const calls: string[] = [];
    let checksAt: Date | null = null;
    const producer = {
      send: (jobs: SendJob[]) => {
        calls.push(`send ${jobs.length}`);
        clock.advance(1_500); // a transaction and a big addBulk later
        return Promise.resolve();
      },
      scheduleChecks: (checks: CheckJob[], now: Date) => {
        calls.push(`checks ${checks.length}`);
        checksAt = now;
        return Promise.resolve();
      },
    } as unknown as JobProducer;
    const escalator = new Escalator({} as CallPlanner, {} as EventLog, producer, {} as PerformanceLog, clock);
    const due = new Date(planned.getTime() + 60_000);
    await escalator.enqueue(
      {
        taskIds: new Map(),
        sends: [{ attemptId: 'a1', channel: 'sms', level: 1 }],
        checks: [{ callTaskId: 't1', step: 'deadline', dueAt: due }],
      },
      planned,
    );
    expect(calls).toEqual(['send 1', 'checks 1']);
    expect(checksAt).toEqual(new Date(planned.getTime() + 1_500));
  });
});
