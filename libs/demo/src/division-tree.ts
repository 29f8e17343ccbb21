import { DIVISIONS_FILE, readDataFile } from './data-files';

export type DivisionLevel = 'province' | 'city' | 'county' | 'town' | 'village';

export interface Division {
  code: string;
  name: string;
  parentCode: string | null;
  level: DivisionLevel;
}

/** The rows above the counties (NBS codes padded to 6 digits); the CSV starts at county level. */
export const UPPER_DIVISIONS: Division[] = [
  { code: '500000', name: '重庆市', parentCode: null, level: 'province' },
  { code: '500100', name: '市辖区', parentCode: '500000', level: 'city' },
  { code: '500200', name: '县', parentCode: '500000', level: 'city' },
];

const LEVELS = new Set<string>(['province', 'city', 'county', 'town', 'village']);

/** Parses `code,name,parent_code,level` (no quoting in this file; checked). */
export function parseDivisionsCsv(text: string): Division[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== 'code,name,parent_code,level') {
    throw new Error(`divisions csv: unexpected header ${lines[0]}`);
  }
  return lines.slice(1).map((line, i) => {
    const cols = line.split(',');
    if (cols.length !== 4 || !LEVELS.has(cols[3])) {
      throw new Error(`divisions csv line ${i + 2}: ${line}`);
    }
    return { code: cols[0], name: cols[1], parentCode: cols[2] || null, level: cols[3] as DivisionLevel };
  });
}

/** 镇, 乡 or 街道: decides titles and which towns get waterlogging points. */
export type TownKind = 'street' | 'town' | 'township';

export function townKind(name: string): TownKind {
  if (name.endsWith('街道')) {
    return 'street';
  }
  return name.endsWith('乡') ? 'township' : 'town';
}

/** "汀溪村村民委员会" → "汀溪村", "梁家湾社区居民委员会" → "梁家湾社区". */
export function villageShortName(name: string): string {
  return name.replace(/村民委员会$/, '').replace(/居民委员会$/, '');
}

export function isCommunity(name: string): boolean {
  return name.includes('社区');
}

/** The loaded tree with ordered child lists (code order). */
export class DivisionTree {
  readonly all: Division[];
  readonly byCode = new Map<string, Division>();
  private readonly children = new Map<string, Division[]>();

  constructor(rows: Division[]) {
    this.all = [...UPPER_DIVISIONS, ...rows];
    for (const d of this.all) {
      if (this.byCode.has(d.code)) {
        throw new Error(`divisions: duplicate code ${d.code}`);
      }
      this.byCode.set(d.code, d);
    }
    for (const d of this.all) {
      if (d.parentCode !== null) {
        if (!this.byCode.has(d.parentCode)) {
          throw new Error(`divisions: ${d.code} has unknown parent ${d.parentCode}`);
        }
        const list = this.children.get(d.parentCode) ?? [];
        list.push(d);
        this.children.set(d.parentCode, list);
      }
    }
    for (const list of this.children.values()) {
      list.sort((a, b) => a.code.localeCompare(b.code));
    }
  }

  static load(): DivisionTree {
    return new DivisionTree(parseDivisionsCsv(readDataFile(DIVISIONS_FILE)));
  }

  get(code: string): Division {
    const d = this.byCode.get(code);
    if (!d) {
      throw new Error(`divisions: unknown code ${code}`);
    }
    return d;
  }

  childrenOf(code: string): Division[] {
    return this.children.get(code) ?? [];
  }

  ofLevel(level: DivisionLevel): Division[] {
    return this.all.filter((d) => d.level === level);
  }

  /** County, town or village codes the loader owns (everything from the CSV). */
  get ownedCodes(): string[] {
    return this.all.filter((d) => d.level !== 'province' && d.level !== 'city').map((d) => d.code);
  }
}
