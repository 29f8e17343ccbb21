import { UnknownField, ValidationError, unknownFieldsError } from '@app/common';
import { LEVEL_NAMES, LevelName } from '@app/config';
import type { Circle, MatchArea } from './area-matcher';

/** A warning not stored yet, as a duty officer drafts it. Rings are [lon, lat] pairs (WGS84). */
export interface PreviewDraft {
  hazardType: string;
  /** 1 = red … 4 = blue; or give colour. null/absent with no colour = advisory (notify-only). */
  level?: number | null;
  colour?: LevelName | null;
  area: {
    polygons?: Array<Array<[number, number]>>;
    circles?: Circle[];
    /** GB/T 2260 or 12-digit division codes; a town code covers its villages. */
    codes?: string[];
  };
}

export interface CheckedDraft {
  hazardType: string;
  level: number | null;
  area: MatchArea;
}

const MAX_POLYGONS = 50;
const MAX_VERTICES = 5000;
const MAX_CIRCLES = 50;
const MAX_RADIUS_KM = 500;

function fail(field: string, problem: string): never {
  throw new ValidationError(`${field}: ${problem}`, { field, problem });
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkPoint(p: unknown, field: string): [number, number] {
  if (!Array.isArray(p) || p.length !== 2 || !isNumber(p[0]) || !isNumber(p[1])) {
    fail(field, 'each point must be [lon, lat]（每个点应为 [经度, 纬度]）');
  }
  const [lon, lat] = p as [number, number];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    fail(field, `(${lon}, ${lat}) is outside lon −180…180 / lat −90…90（经纬度超出范围）`);
  }
  return [lon, lat];
}

/** A ring as WKT; closes it when the last point differs from the first. */
function ringWkt(ring: unknown, field: string): string {
  if (!Array.isArray(ring) || ring.length < 3 || ring.length > MAX_VERTICES) {
    fail(field, `a polygon needs 3 to ${MAX_VERTICES} points（多边形至少需要 3 个点）`);
  }
  const points = ring.map((p, i) => checkPoint(p, `${field}[${i}]`));
  const [first, last] = [points[0], points[points.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    points.push(first);
  }
  if (points.length < 4) {
    fail(field, 'a closed polygon needs at least 3 distinct points（多边形至少需要 3 个不同的点）');
  }
  return `POLYGON((${points.map(([lon, lat]) => `${lon} ${lat}`).join(', ')}))`;
}

function checkCircle(c: unknown, field: string): Circle {
  const o = c as Partial<Circle> | null;
  if (!o || !isNumber(o.lon) || !isNumber(o.lat) || !isNumber(o.radiusKm)) {
    fail(field, 'a circle is { lon, lat, radiusKm }（圆形区域需要经度、纬度与半径公里数）');
  }
  checkPoint([o.lon, o.lat], field);
  if (o.radiusKm <= 0 || o.radiusKm > MAX_RADIUS_KM) {
    fail(
      `${field}.radiusKm`,
      `must be more than 0 and at most ${MAX_RADIUS_KM} km（半径应在 0–${MAX_RADIUS_KM} 公里之间）`,
    );
  }
  return { lon: o.lon, lat: o.lat, radiusKm: o.radiusKm };
}

function checkLevel(d: Partial<PreviewDraft>): number | null {
  if (d.level !== undefined && d.level !== null) {
    if (!Number.isInteger(d.level) || d.level < 1 || d.level > 4) {
      fail('level', 'must be 1 (red) to 4 (blue)（预警级别应为 1–4）');
    }
    if (d.colour && LEVEL_NAMES.indexOf(d.colour) + 1 !== d.level) {
      fail('colour', `does not agree with level ${d.level}（颜色与级别不一致）`);
    }
    return d.level;
  }
  if (d.colour !== undefined && d.colour !== null) {
    const i = LEVEL_NAMES.indexOf(d.colour);
    if (i < 0) {
      fail('colour', `must be one of ${LEVEL_NAMES.join(', ')}（颜色应为红/橙/黄/蓝）`);
    }
    return i + 1;
  }
  return null;
}

const DRAFT_KEYS = ['hazardType', 'level', 'colour', 'area'];
const AREA_KEYS = ['polygons', 'circles', 'codes'];

/** Keys the draft may not carry, each with the nearest known name: a misspelt "code" would preview nobody. */
function rejectUnknownKeys(d: Record<string, unknown>): void {
  const unknown: UnknownField[] = Object.keys(d)
    .filter((k) => !DRAFT_KEYS.includes(k))
    .map((k) => ({ field: k, known: DRAFT_KEYS }));
  const area = d.area;
  if (area && typeof area === 'object' && !Array.isArray(area)) {
    unknown.push(
      ...Object.keys(area)
        .filter((k) => !AREA_KEYS.includes(k))
        .map((k) => ({ field: `area.${k}`, known: AREA_KEYS })),
    );
  }
  if (unknown.length > 0) {
    throw unknownFieldsError(unknown);
  }
}

/** Checks a draft's shape and turns its area into matcher parameters; hazard names are checked against the spec. Pure. */
export function checkDraft(input: unknown, knownHazards: string[]): CheckedDraft {
  const d = (input ?? {}) as Partial<PreviewDraft>;
  if (typeof d === 'object' && !Array.isArray(d)) {
    rejectUnknownKeys(d);
  }
  if (typeof d.hazardType !== 'string' || !knownHazards.includes(d.hazardType)) {
    fail('hazardType', `must be one of ${knownHazards.join(', ')}（灾种未配置）`);
  }
  const level = checkLevel(d);
  const area = d.area;
  if (!area || typeof area !== 'object') {
    fail('area', 'give polygons, circles and/or division codes（请给出预警范围）');
  }
  const polygons = area.polygons ?? [];
  const circles = area.circles ?? [];
  const codes = area.codes ?? [];
  if (!Array.isArray(polygons) || polygons.length > MAX_POLYGONS) {
    fail('area.polygons', `must be a list of at most ${MAX_POLYGONS} rings`);
  }
  if (!Array.isArray(circles) || circles.length > MAX_CIRCLES) {
    fail('area.circles', `must be a list of at most ${MAX_CIRCLES} circles`);
  }
  if (!Array.isArray(codes) || !codes.every((c) => typeof c === 'string' && /^\d{6}(\d{3}){0,2}$/.test(c))) {
    fail('area.codes', 'each code must be a 6, 9 or 12 digit division code（区划代码应为 6、9 或 12 位数字）');
  }
  if (polygons.length + circles.length + codes.length === 0) {
    fail('area', 'is empty: give polygons, circles and/or division codes（预警范围为空）');
  }
  return {
    hazardType: d.hazardType,
    level,
    area: {
      polygons: polygons.map((r, i) => ringWkt(r, `area.polygons[${i}]`)),
      circles: circles.map((c, i) => checkCircle(c, `area.circles[${i}]`)),
      codes: [...new Set(codes)],
    },
  };
}
