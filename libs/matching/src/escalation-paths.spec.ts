import { PathFacts, sharePaths } from './escalation-paths';

describe('sharePaths', () => {
  const steps = [['backup', 'contracting_superior'], ['same_role_up'], ['duty_officer'], ['commander']];
  const lookups = {
    leaders: new Map([['500230107200', ['leader', 'deputy']]]),
    dutyOfficers: new Map([['500230', ['duty']]]),
    commanders: new Map([['500230', ['chief', 'vice']]]),
    holders: [[{ assignmentId: 'a2', personId: 'town-admin' }], [{ assignmentId: 'a1', personId: 'town-admin-2' }]],
  };
  const person = (personId: string, seeds: number[] = [0]): PathFacts => ({
    personId,
    unitCode: '500230107200',
    backup: 'b',
    seeds,
  });

  it('gives people of the same unit, backup and seeds one path, the same array', () => {
    const [p1, p2] = sharePaths([person('p1'), person('p2')], lookups, steps);
    expect(p1).toEqual([['b', 'leader'], ['town-admin'], ['duty'], ['chief']]);
    expect(p2).toBe(p1);
  });

  it('gives someone on that path a path of their own: the second candidate where they are their own superior', () => {
    const [leader, chief] = sharePaths([person('leader'), person('chief')], lookups, steps);
    expect(leader).toEqual([['b', 'deputy'], ['town-admin'], ['duty'], ['chief']]);
    expect(chief).toEqual([['b', 'leader'], ['town-admin'], ['duty'], ['vice']]);
  });

  it('lists the holders of several seeds in assignment order', () => {
    const [p] = sharePaths([person('p', [0, 1])], lookups, steps);
    expect(p[1]).toEqual(['town-admin-2', 'town-admin']);
  });
});
