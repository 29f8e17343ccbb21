import { escalationSteps, groupReasons, sameRoleSeeds, unitWithAncestors } from './recipient-resolver';

describe('unitWithAncestors', () => {
  it('adds the town and county of a village code', () => {
    expect(unitWithAncestors(['500230107203'])).toEqual(['500230', '500230107', '500230107203']);
  });
  it('keeps a county alone and never duplicates', () => {
    expect(unitWithAncestors(['500230', '500230107'])).toEqual(['500230', '500230107']);
  });
});

describe('groupReasons', () => {
  it('gives one entry per person with every distinct reason once', () => {
    const grouped = groupReasons([
      { personId: 'p1', kind: 'assignment', roleSlot: 'admin', targetId: 'z1' },
      { personId: 'p1', kind: 'assignment', roleSlot: 'admin', targetId: 'z2' },
      { personId: 'p1', kind: 'assignment', roleSlot: 'admin', targetId: 'z1' },
      { personId: 'p2', kind: 'contracting', roleSlot: 'town_village', targetId: 'v1' },
    ]);
    expect(grouped.size).toBe(2);
    expect(grouped.get('p1')?.map((r) => r.targetId)).toEqual(['z1', 'z2']);
    expect(grouped.get('p2')).toHaveLength(1);
  });
});

describe('escalationSteps', () => {
  const steps = [['backup', 'contracting_superior'], ['duty_officer'], ['commander']];

  it('calls backup and 包干 superior together, then the duty officer, then the commander', () => {
    expect(
      escalationSteps('me', { backup: 'b', contracting_superior: 's', duty_officer: 'd', commander: 'c' }, steps),
    ).toEqual([['b', 's'], ['d'], ['c']]);
  });

  it('skips missing people, the person themself and anyone already on the path', () => {
    expect(
      escalationSteps('me', { backup: null, contracting_superior: 'me', duty_officer: 'd', commander: 'd' }, steps),
    ).toEqual([['d']]);
  });
});

describe('escalationSteps with the same role one tier up', () => {
  const steps = [['backup', 'contracting_superior'], ['same_role_up'], ['duty_officer'], ['commander']];
  it('puts every holder one tier up in one step, after backup and 包干 superior', () => {
    const targets = {
      backup: 'b',
      contracting_superior: 's',
      same_role_up: ['m1', 'b', 'm2'],
      duty_officer: 'd',
      commander: 'c',
    };
    expect(escalationSteps('me', targets, steps)).toEqual([['b', 's'], ['m1', 'm2'], ['d'], ['c']]);
  });
});

describe('sameRoleSeeds', () => {
  it('looks one tier above the target’s unit for assignments only, once per role and sector', () => {
    const rows = [
      { personId: 'p', kind: 'assignment' as const, sector: 'flood', roleSlot: 'admin', unitCode: '500230107200' },
      { personId: 'p', kind: 'assignment' as const, sector: 'flood', roleSlot: 'admin', unitCode: '500230107200' },
      { personId: 'q', kind: 'assignment' as const, sector: 'flood', roleSlot: 'admin', unitCode: '500230107' },
      { personId: 'r', kind: 'assignment' as const, sector: 'all', roleSlot: 'commander', unitCode: '500230' },
      {
        personId: 's',
        kind: 'contracting' as const,
        sector: 'all',
        roleSlot: 'town_village',
        unitCode: '500230107200',
      },
    ];
    expect(sameRoleSeeds(rows)).toEqual([
      { personId: 'p', sector: 'flood', roleSlot: 'admin', parent: '500230107' },
      { personId: 'q', sector: 'flood', roleSlot: 'admin', parent: '500230' },
    ]);
  });
});
