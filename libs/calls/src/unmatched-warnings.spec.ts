import { unmatchedReason } from './unmatched-warnings.service';

describe('unmatchedReason', () => {
  const base = { hasArea: true, units: 0, zones: 0, objects: 0, hazardType: 'rainstorm' };

  it.each([
    [{ ...base, hasArea: false }, 'no_area'],
    [base, 'outside_units'],
    [{ ...base, units: 3 }, 'no_zones_or_objects'],
    [{ ...base, units: 3, zones: 2 }, 'no_persons'],
    [{ ...base, objects: 1 }, 'no_persons'],
  ])('%o → %s', (summary, reason) => {
    expect(unmatchedReason(summary).reason).toBe(reason);
  });

  it('says what matching saw, in Chinese first', () => {
    expect(unmatchedReason({ ...base, units: 3 }).detail).toBe(
      '范围内没有该灾种的风险区或防护对象 (no risk zones or objects of this hazard in the area)；灾种 rainstorm，涉及单位 3 个、风险区 0 个、对象 0 个',
    );
  });
});
