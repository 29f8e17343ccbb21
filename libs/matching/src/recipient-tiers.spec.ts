import { join } from 'node:path';
import { loadResponseSpecs, resolveSpec } from '@app/config';
import { callFilter, parentUnitCode, tierOfReason } from './recipient-tiers';

const specs = loadResponseSpecs(join(__dirname, '../../../config/response-specs.default.json'));

describe('tierOfReason', () => {
  const red = resolveSpec(specs, 'rainstorm', 1, [], 1).tiers;
  const yellow = resolveSpec(specs, 'rainstorm', 3, [], 1).tiers;

  it('places each kind of reason by the target kind, unit level and role slot', () => {
    expect(tierOfReason(red, { kind: 'assignment', targetType: 'zone', roleSlot: 'monitor' })).toBe(0);
    expect(
      tierOfReason(red, { kind: 'assignment', targetType: 'unit', unitLevel: 'county', roleSlot: 'commander' }),
    ).toBe(0);
    expect(
      tierOfReason(red, { kind: 'assignment', targetType: 'unit', unitLevel: 'village', roleSlot: 'duty_officer' }),
    ).toBeNull();
    expect(tierOfReason(red, { kind: 'contracting', roleSlot: 'town_village' })).toBe(0);
    expect(tierOfReason(red, { kind: 'one_to_one' })).toBe(0);
  });

  it('leaves out what a lower level does not call', () => {
    expect(
      tierOfReason(yellow, { kind: 'assignment', targetType: 'unit', unitLevel: 'county', roleSlot: 'commander' }),
    ).toBeNull();
    expect(tierOfReason(yellow, { kind: 'contracting', roleSlot: 'town_village' })).toBeNull();
    expect(tierOfReason(yellow, { kind: 'one_to_one' })).toBeNull();
    expect(tierOfReason(yellow, { kind: 'assignment', targetType: 'object', roleSlot: 'admin' })).toBeNull();
  });

  it('gives a later tier when only that tier lists the role', () => {
    const s = JSON.parse(JSON.stringify(specs)) as typeof specs;
    s.levels.orange.tiers[1].call = { village: ['grid_worker'] };
    s.levels.orange.tiers[0].call = { ...s.levels.orange.tiers[0].call, village: ['admin'] };
    const tiers = resolveSpec(s, 'rainstorm', 2, [], 1).tiers;
    expect(
      tierOfReason(tiers, { kind: 'assignment', targetType: 'unit', unitLevel: 'village', roleSlot: 'grid_worker' }),
    ).toBe(1);
    expect(
      tierOfReason(tiers, { kind: 'assignment', targetType: 'unit', unitLevel: 'village', roleSlot: 'admin' }),
    ).toBe(0);
  });
});

describe('callFilter', () => {
  it('unions every tier and notices the * wildcard', () => {
    const f = callFilter(resolveSpec(specs, 'rainstorm', 1, [], 1).tiers);
    expect(f).toMatchObject({ zoneAll: true, objectAll: true, unitAll: false, oneToOne: true });
    expect(f.unitRoles).toEqual(expect.arrayContaining(['commander', 'grid_worker', 'party_secretary']));
    expect(callFilter(resolveSpec(specs, 'rainstorm', 4, [], 1).tiers)).toMatchObject({
      zoneAll: false,
      zoneRoles: [],
      contracting: [],
      oneToOne: false,
    });
  });
});

describe('parentUnitCode', () => {
  it('goes village → town → county → none', () => {
    expect(parentUnitCode('500230107200')).toBe('500230107');
    expect(parentUnitCode('500230107')).toBe('500230');
    expect(parentUnitCode('500230')).toBeNull();
  });
});
