import { join } from 'node:path';
import { loadResponseSpecs, resolveSpec } from '@app/config';
import { otherCounties, splitByCounty } from './county-chunks';
import { firstCounties, ReasonRow } from './recipient-resolver';

const red = resolveSpec(
  loadResponseSpecs(join(__dirname, '../../../config/response-specs.default.json')),
  'rainstorm',
  1,
  [],
  1,
);

const zone = (id: string, unitCode: string) => ({ id, code: id, name: id, unitCode });

describe('splitByCounty', () => {
  const match = {
    zones: [zone('z1', '500231001001'), zone('z2', '500230107200')],
    objects: [{ ...zone('o1', '500231001'), type: 'reservoir' }],
    unitCodes: ['500230107', '500230107200', '500231001', '500231001001'],
  };

  it('puts each target in the county of its unit, counties in code order', () => {
    const chunks = splitByCounty(match);
    expect(chunks.map((c) => c.county)).toEqual(['500230', '500231']);
    expect(chunks[0].targets).toEqual({
      zones: [match.zones[1]],
      objects: [],
      unitCodes: ['500230107', '500230107200'],
    });
    expect(chunks[1].targets.objects.map((o) => o.id)).toEqual(['o1']);
  });

  it('gives the rest of the area as one match', () => {
    expect(otherCounties(splitByCounty(match), '500230')).toEqual(splitByCounty(match)[1].targets);
  });
});

describe('firstCounties', () => {
  const row = (personId: string, r: Partial<ReasonRow>): ReasonRow => ({
    personId,
    kind: 'assignment',
    roleSlot: 'admin',
    sector: 'flood',
    targetType: 'unit',
    targetId: '500231001',
    targetName: 'T',
    unitLevel: 'town',
    unitCode: '500231001',
    personUnit: '500231001',
    backup: null,
    hasContact: true,
    ...r,
  });

  it('is the lowest county of the reasons some tier calls, wherever the person lives', () => {
    const first = firstCounties(
      [
        row('p1', {}),
        row('p1', { targetId: '500230107', unitCode: '500230107' }),
        row('p2', {}),
        // A role no tier calls does not pull the person into its county.
        row('p2', { roleSlot: 'nobody_calls_this', targetId: '500230107', unitCode: '500230107' }),
      ],
      red,
      [],
    );
    expect(first).toEqual(
      new Map([
        ['p1', '500230'],
        ['p2', '500231'],
      ]),
    );
  });

  it('places a one-to-one caller by the zone the resident was found through', () => {
    const first = firstCounties(
      [
        row('p3', {
          kind: 'one_to_one',
          roleSlot: 'one_to_one_caller',
          targetType: 'resident',
          unitCode: '500231001',
          viaZone: 'z9',
        }),
      ],
      red,
      [zone('z9', '500230107200')],
    );
    expect(first.get('p3')).toBe('500230');
  });
});
