import { groupChecks } from './check-groups';

describe('groupChecks', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 6, 1, 8) + ms);

  it('puts the timers of one step due at one moment into jobs of at most `size` tasks, sorted and without repeats', () => {
    const checks = ['c', 'a', 'e', 'b', 'd', 'a'].map((callTaskId) => ({
      callTaskId,
      step: 'deadline' as const,
      dueAt: at(60_000),
    }));
    expect(groupChecks(checks, 2)).toEqual([
      { step: 'deadline', dueAt: at(60_000), callTaskIds: ['a', 'b'] },
      { step: 'deadline', dueAt: at(60_000), callTaskIds: ['c', 'd'] },
      { step: 'deadline', dueAt: at(60_000), callTaskIds: ['e'] },
    ]);
  });

  it('keeps different steps and different due times apart, earliest first', () => {
    const groups = groupChecks([
      { callTaskId: 't1', step: 'deadline', dueAt: at(60_000) },
      { callTaskId: 't1', step: 1, dueAt: at(30_000) },
      { callTaskId: 't2', step: 1, dueAt: at(30_000) },
      { callTaskId: 't3', step: 1, dueAt: at(30_001) },
    ]);
    expect(groups.map((g) => [g.step, g.dueAt.getTime() - at(0).getTime(), g.callTaskIds])).toEqual([
      [1, 30_000, ['t1', 't2']],
      [1, 30_001, ['t3']],
      ['deadline', 60_000, ['t1']],
    ]);
  });

  it('makes nothing of nothing', () => {
    expect(groupChecks([])).toEqual([]);
  });
});
