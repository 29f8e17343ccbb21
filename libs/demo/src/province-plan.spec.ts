import { CHONGQING_SIZE, fixedStaff, planProvinceZones, provinceSize, provinceTree } from './province-plan';

describe('province plan', () => {
  it('defaults to Chongqing and scales the other sizes with the counties', () => {
    expect(provinceSize()).toEqual(CHONGQING_SIZE);
    expect(provinceSize({ counties: 2 })).toEqual({
      counties: 2,
      towns: 53,
      villages: 579,
      persons: 10_526,
      zonesPerVillage: 2,
    });
    expect(provinceSize({ counties: 2, persons: 5_000 }).persons).toBe(5_000);
  });

  it('leaves room for one grid worker per village at Chongqing size', () => {
    const s = provinceSize();
    expect(fixedStaff(s)).toBe(38 * 7 + 1_000 * 7 + 11_000 * 6);
    expect(s.persons - fixedStaff(s)).toBeGreaterThanOrEqual(s.villages);
  });

  it('refuses sizes it cannot build, saying why', () => {
    expect(() => provinceSize({ counties: 0 })).toThrow(/counties must be 1–99/);
    expect(() => provinceSize({ counties: 2, towns: 1 })).toThrow(/towns/);
    expect(() => provinceSize({ counties: 2, persons: 100 })).toThrow(/persons must be at least 4438/);
  });

  it('spreads towns over counties and villages over towns with official-structure codes', () => {
    const tree = provinceTree(provinceSize({ counties: 3, towns: 10, villages: 25, persons: 1_000 }));
    expect(tree.ofLevel('county').map((c) => c.code)).toEqual(['509801', '509802', '509803']);
    expect(tree.childrenOf('509801').map((t) => t.code)).toEqual(['509801001', '509801002', '509801003', '509801004']);
    expect(tree.childrenOf('509801001').map((v) => v.code)).toEqual(['509801001200', '509801001201', '509801001202']);
    expect(
      tree.ofLevel('village').every((v) => v.code.length === 12 && v.code.startsWith(v.parentCode as string)),
    ).toBe(true);
  });

  it('plans the same zones every time, every village its share', () => {
    const tree = provinceTree(provinceSize({ counties: 2 }));
    const a = planProvinceZones(tree, 2);
    expect(a).toHaveLength(579 * 2);
    expect(planProvinceZones(tree, 2)).toEqual(a);
    expect(new Set(a.map((z) => z.code)).size).toBe(a.length);
    expect(new Set(a.map((z) => z.kindCode))).toEqual(new Set(['FF', 'GH', 'RA', 'WL']));
  });
});
