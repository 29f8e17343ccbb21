import { jobHandlerProblems, QueueName } from '@app/queue';
import { DISPATCH_PROCESSORS } from './dispatcher/src/dispatch.processors';
import { DeadlineProcessor } from './escalator/src/deadline.processor';
import { MatchingProcessor } from './matcher/src/matching.processor';

/** Every job name has exactly one handler across the worker apps, on every queue it is added to. */
describe("the worker apps' processors", () => {
  const all = [...DISPATCH_PROCESSORS, DeadlineProcessor, MatchingProcessor];

  it('handle every job on every queue exactly once', () => {
    expect(jobHandlerProblems(all, Object.values(QueueName))).toEqual([]);
  });
});
