import { join } from 'node:path';
import { demoDataDir } from './data-files';
import { DivisionTree, parseDivisionsCsv, townKind, villageShortName } from './division-tree';

describe('division tree', () => {
  const tree = DivisionTree.load();

  it('holds the 731 rows of 铜梁区 and 丰都县 under the three upper rows', () => {
    expect(tree.ownedCodes).toHaveLength(731);
    expect(tree.all).toHaveLength(734);
    expect(tree.ofLevel('county').map((c) => c.code)).toEqual(['500151', '500230']);
    expect(tree.ofLevel('town')).toHaveLength(58);
    expect(tree.ofLevel('village')).toHaveLength(671);
    expect(tree.get('500230').parentCode).toBe('500200');
    expect(tree.get('500151').parentCode).toBe('500100');
  });

  it('lists the 18 village-level units of 十直镇 in code order', () => {
    const villages = tree.childrenOf('500230107');
    expect(villages).toHaveLength(18);
    expect(villages[0].name).toBe('梁家湾社区居民委员会');
    expect(villages[1].name).toBe('汀溪村村民委员会');
  });

  it('names and classifies units', () => {
    expect(villageShortName('汀溪村村民委员会')).toBe('汀溪村');
    expect(villageShortName('梁家湾社区居民委员会')).toBe('梁家湾社区');
    expect(townKind('巴川街道')).toBe('street');
    expect(townKind('十直镇')).toBe('town');
    expect(townKind('青龙乡')).toBe('township');
  });

  it('rejects malformed files', () => {
    expect(() => parseDivisionsCsv('code,name\n1,a')).toThrow(/header/);
    expect(() => parseDivisionsCsv('code,name,parent_code,level\n1,a,,planet')).toThrow(/line 2/);
    expect(
      () => new DivisionTree(parseDivisionsCsv('code,name,parent_code,level\n500151,铜梁区,499999,county')),
    ).toThrow(/unknown parent/);
  });
});

describe('demo data folder', () => {
  it('is found from the sources and from compiled output under dist/', () => {
    const fromSrc = demoDataDir();
    expect(fromSrc.endsWith(join('libs', 'demo', 'data'))).toBe(true);
    const repo = fromSrc.slice(0, -join('libs', 'demo', 'data').length);
    expect(demoDataDir(join(repo, 'dist', 'libs', 'demo', 'src'))).toBe(fromSrc);
  });
});
