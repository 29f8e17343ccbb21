import { join } from 'node:path';
import { loadResponseSpecs, resolveSpec } from '@app/config';
import { escalationSteps } from './escalation-paths';
import { groupByPerson, sameRoleSeed, unitWithAncestors } from './recipient-resolver';

const red = resolveSpec(
  loadResponseSpecs(join(__dirname, '../../../config/response-specs.default.json')),
  'rainstorm',
  1,
  [],
  1,
);

/** A reason row as the resolver's statement returns it. */
const row = (personId: string, r: Partial<Parameters<typeof groupByPerson>[0][number]>) => ({
  personId,
  kind: 'assignment' as const,
  roleSlot: 'admin',
  sector: 'flood',
  targetType: 'zone' as const,
  targetId: 'z1',
  targetName: 'Z1',
  unitLevel: null,
  unitCode: '500230107200',
  personUnit: '500230107200',
  backup: null,
  hasContact: true,
  ...r,
});

describe('unitWithAncestors', () => {
  it('adds the town and county of a village code', () => {
    expect(unitWithAncestors(['500230107203'])).toEqual(['500230', '500230107', '500230107203']);
  });
  it('keeps a county alone and never duplicates', () => {
    expect(unitWithAncestors(['500230', '500230107'])).toEqual(['500230', '500230107']);
  });
});

describe('groupByPerson', () => {
  it('gives one entry per person with every distinct reason once, at the lowest tier', () => {
    const { called } = groupByPerson(
      [
        row('p1', { targetId: 'z1' }),
        row('p1', { targetId: 'z2' }),
        row('p1', { targetId: 'z1' }),
        row('p2', { kind: 'contracting', roleSlot: 'town_village', sector: 'all', targetType: 'unit', targetId: 'v1' }),
      ],
      red,
    );
    expect(called.size).toBe(2);
    expect(called.get('p1')?.reasons.map((r) => r.targetId)).toEqual(['z1', 'z2']);
    expect(called.get('p1')?.tier).toBe(0);
    expect(called.get('p2')?.reasons).toEqual([
      {
        kind: 'contracting',
        roleSlot: 'town_village',
        sector: 'all',
        targetType: 'unit',
        targetId: 'v1',
        targetName: 'Z1',
      },
    ]);
  });

  it('leaves out reasons no tier calls, and people with nothing else', () => {
    const { called } = groupByPerson(
      [row('p1', { targetType: 'unit', unitLevel: 'village', roleSlot: 'duty_officer', targetId: 'v1' })],
      red,
    );
    expect(called.size).toBe(0);
  });

  it('lists each same-role seed once however many people point at it', () => {
    const { called, seeds } = groupByPerson([row('p1', {}), row('p2', { targetId: 'z2' }), row('p2', {})], red);
    expect(seeds).toEqual([{ parent: '500230107', roleSlot: 'admin', sector: 'flood' }]);
    expect(called.get('p2')?.seeds).toEqual([0]);
  });

  it('gives sibling villages one seed in their town, other roles and sectors their own, a county none', () => {
    const { called, seeds } = groupByPerson(
      [
        row('p1', { unitCode: '500230107201' }),
        row('p2', { unitCode: '500230107202' }),
        row('p2', { unitCode: '500230107202', targetId: 'z2', roleSlot: 'monitor' }),
        row('p3', { unitCode: '500230107201', sector: 'geo_hazard' }),
        row('p4', {
          targetType: 'unit',
          targetId: '500230',
          unitLevel: 'county',
          unitCode: '500230',
          roleSlot: 'commander',
        }),
      ],
      red,
    );
    expect(seeds).toEqual([
      { parent: '500230107', roleSlot: 'admin', sector: 'flood' },
      { parent: '500230107', roleSlot: 'monitor', sector: 'flood' },
      { parent: '500230107', roleSlot: 'admin', sector: 'geo_hazard' },
    ]);
    expect([...called.values()].map((p) => [p.personId, p.seeds])).toEqual([
      ['p1', [0]],
      ['p2', [0, 1]],
      ['p3', [2]],
      ['p4', []],
    ]);
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

describe('sameRoleSeed', () => {
  it('looks one tier above the target’s unit for assignments only', () => {
    const seed = (kind: 'assignment' | 'contracting', roleSlot: string, sector: string, unitCode: string) =>
      sameRoleSeed({ kind, sector, roleSlot, unitCode });
    expect(seed('assignment', 'admin', 'flood', '500230107200')).toEqual({
      parent: '500230107',
      roleSlot: 'admin',
      sector: 'flood',
    });
    expect(seed('assignment', 'admin', 'flood', '500230107')).toEqual({
      parent: '500230',
      roleSlot: 'admin',
      sector: 'flood',
    });
    expect(seed('assignment', 'commander', 'all', '500230')).toBeNull();
    expect(seed('contracting', 'town_village', 'all', '500230107200')).toBeNull();
  });
});
