import { Job, UnrecoverableError } from 'bullmq';
import { handledJobs, JobHandlers, HandlesJobs, jobHandlerProblems, jobsOnQueue, QueueProcessor } from './job-handlers';
import { JobName, QueueName } from './queue.constants';

const done = () => Promise.resolve('done' as const);

@HandlesJobs(QueueName.Matching, [JobName.MatchWarning, JobName.MatchChunk], 1)
class Matching {
  readonly handlers = { [JobName.MatchWarning]: done, [JobName.MatchChunk]: done };
}

@HandlesJobs(QueueName.Matching, [JobName.MatchWarning], 1)
class MatchingAgain {
  readonly handlers = { [JobName.MatchWarning]: done };
}

@HandlesJobs(QueueName.Notices, [JobName.SendNotice, JobName.SendDailyReport, JobName.SendAttempt], 1)
class NoticesAndMore {
  readonly handlers = { [JobName.SendNotice]: done, [JobName.SendDailyReport]: done, [JobName.SendAttempt]: done };
}

class Undeclared {}

@HandlesJobs(QueueName.Matching, [JobName.MatchWarning], 1)
class Routed extends QueueProcessor<JobName.MatchWarning> {
  readonly matched: string[] = [];

  readonly handlers: JobHandlers<JobName.MatchWarning> = {
    [JobName.MatchWarning]: (job) => {
      this.matched.push(job.data.warningId);
      return done();
    },
  };
}

describe('job handlers', () => {
  it('routes SendAttempt to every channel queue and nowhere else', () => {
    expect(jobsOnQueue(QueueName.DispatchSms)).toEqual([JobName.SendAttempt]);
    expect(jobsOnQueue(QueueName.DispatchPublicSms)).toEqual([JobName.SendPublicSms]);
    expect(jobsOnQueue(QueueName.DispatchBroadcast)).toEqual([JobName.PlayBroadcast]);
    expect(jobsOnQueue(QueueName.Deadlines)).toEqual([
      JobName.CheckCallTasks,
      JobName.ExpireWarning,
      JobName.CheckOrderTarget,
      JobName.SendEscalationNotice,
      JobName.NotifyPeers,
    ]);
  });

  it('remembers what a processor declared', () => {
    expect(handledJobs(Matching)).toEqual({
      queue: QueueName.Matching,
      jobs: [JobName.MatchWarning, JobName.MatchChunk],
    });
    expect(handledJobs(Undeclared)).toBeUndefined();
  });

  it('accepts exactly one handler per job and queue', () => {
    expect(jobHandlerProblems([Matching], [QueueName.Matching])).toEqual([]);
  });

  it('names a job with two handlers, none, or one on a queue it never reaches', () => {
    expect(jobHandlerProblems([Matching, MatchingAgain], [QueueName.Matching])).toEqual([
      'MatchWarning on {warning-matching} has 2 handlers (Matching, MatchingAgain); it needs exactly one',
    ]);
    expect(jobHandlerProblems([], [QueueName.Matching])).toEqual([
      'MatchWarning on {warning-matching} has 0 handlers; it needs exactly one',
      'MatchChunk on {warning-matching} has 0 handlers; it needs exactly one',
    ]);
    expect(jobHandlerProblems([NoticesAndMore], [QueueName.Notices])).toEqual([
      'NoticesAndMore handles SendAttempt, which is never added to {notices}',
    ]);
    expect(jobHandlerProblems([Undeclared], [])).toEqual(['Undeclared does not declare its jobs (use @HandlesJobs)']);
  });

  it('routes a job to the handler of its name, and fails a job it did not declare for good', async () => {
    const processor = new Routed();
    await expect(processor.process({ name: JobName.MatchWarning, data: { warningId: 'w-1' } } as Job)).resolves.toBe(
      'done',
    );
    expect(processor.matched).toEqual(['w-1']);
    await expect(processor.process({ name: JobName.SendAttempt, data: { attemptId: 'a-1' } } as Job)).rejects.toThrow(
      UnrecoverableError,
    );
    await expect(processor.process({ name: 'toString', data: {} } as Job)).rejects.toThrow(
      'job toString does not belong on {warning-matching}',
    );
  });
});
