import { unknownFieldProblem } from '@app/common';
import { capError, IssueList } from './cap-issues';
import { ALERT_TEXT_FIELDS, INFO_TEXT_FIELDS, RawArea, RawCap, RawInfo, RawNameValue } from './raw-cap';

type Obj = Record<string, unknown>;

/** Every CAP 1.2 element name per level: the ones we read and the ones we accept and ignore (note, resource …). */
const ALERT_KEYS = [...ALERT_TEXT_FIELDS, 'info', 'source', 'restriction', 'addresses', 'code', 'note', 'incidents'];
const INFO_KEYS = [
  ...INFO_TEXT_FIELDS,
  ...['category', 'eventCode', 'parameter', 'area', 'responseType', 'audience', 'web', 'contact', 'resource'],
];
const AREA_KEYS = ['areaDesc', 'polygon', 'circle', 'geocode', 'altitude', 'ceiling'];
const PAIR_KEYS = ['valueName', 'value'];

/**
 * Reads a JSON object mirroring CAP element names into the shared string form. Type mistakes (a number where
 * text belongs, an info that is not an object) are collected as issues; `info`, `area` and every repeatable
 * element may be given as one value or an array. A key that is no CAP element is an issue naming the nearest
 * CAP name (a misspelt "geocodes" would otherwise drop the area and match nobody).
 */
export function rawCapFromJson(input: unknown, issues: IssueList): RawCap {
  if (!isObj(input)) {
    throw capError('alert', 'expected a JSON object with CAP element names', '须为CAP格式的JSON对象');
  }
  const str = (o: Obj, key: string, path: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) {
      return undefined;
    }
    if (typeof v !== 'string') {
      issues.add(path, `must be a string, got ${describe(v)}`, '字段类型须为字符串');
      return undefined;
    }
    return v.trim();
  };
  const strings = (o: Obj, key: string, base: string): string[] =>
    many(o[key]).flatMap((v, i) => {
      if (typeof v !== 'string') {
        issues.add(`${base}${key}[${i}]`, `must be a string, got ${describe(v)}`, '字段类型须为字符串');
        return [];
      }
      return [v.trim()];
    });
  const objects = (o: Obj, key: string, base: string): Array<[Obj, string]> =>
    many(o[key]).flatMap((v, i): Array<[Obj, string]> => {
      const path = `${base}${key}[${i}]`;
      if (!isObj(v)) {
        issues.add(path, `must be an object, got ${describe(v)}`, '字段类型须为对象');
        return [];
      }
      return [[v, path]];
    });
  const known = (o: Obj, names: readonly string[], base: string): void => {
    for (const key of Object.keys(o).filter((k) => !names.includes(k))) {
      const { problem, hint } = unknownFieldProblem(key, names);
      issues.add(`${base}${key}`, problem, hint);
    }
  };
  const pairs = (o: Obj, key: string, base: string): RawNameValue[] =>
    objects(o, key, base).map(([p, path]) => {
      known(p, PAIR_KEYS, `${path}.`);
      return { valueName: str(p, 'valueName', `${path}.valueName`), value: str(p, 'value', `${path}.value`) };
    });

  known(input, ALERT_KEYS, '');
  const raw: RawCap = { info: [] };
  for (const field of ALERT_TEXT_FIELDS) {
    raw[field] = str(input, field, field);
  }
  raw.info = objects(input, 'info', '').map(([infoObj, infoPath]): RawInfo => {
    const base = `${infoPath}.`;
    known(infoObj, INFO_KEYS, base);
    const info: RawInfo = {
      category: strings(infoObj, 'category', base),
      eventCode: pairs(infoObj, 'eventCode', base),
      parameter: pairs(infoObj, 'parameter', base),
      area: objects(infoObj, 'area', base).map(([areaObj, areaPath]): RawArea => {
        known(areaObj, AREA_KEYS, `${areaPath}.`);
        return {
          areaDesc: str(areaObj, 'areaDesc', `${areaPath}.areaDesc`),
          polygon: strings(areaObj, 'polygon', `${areaPath}.`),
          circle: strings(areaObj, 'circle', `${areaPath}.`),
          geocode: pairs(areaObj, 'geocode', `${areaPath}.`),
        };
      }),
    };
    for (const field of INFO_TEXT_FIELDS) {
      info[field] = str(infoObj, field, `${base}${field}`);
    }
    return info;
  });
  return raw;
}

function many(v: unknown): unknown[] {
  if (v === undefined || v === null) {
    return [];
  }
  return Array.isArray(v) ? (v as unknown[]) : [v];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}
