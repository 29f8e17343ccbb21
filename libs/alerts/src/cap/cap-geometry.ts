import { Parsed } from './cap-time';

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
/** Half the Earth's circumference: no circle on Earth needs a larger radius. */
const MAX_RADIUS_KM = 20_038;

/** A CAP point "lat,lon" → [lon, lat], or the reason it is wrong. */
function parsePoint(pair: string): Parsed<[number, number]> {
  const parts = pair.split(',');
  if (parts.length !== 2 || !NUMBER.test(parts[0]) || !NUMBER.test(parts[1])) {
    return { ok: false, problem: `"${pair}" is not a "lat,lon" pair` };
  }
  const lat = Number(parts[0]);
  const lon = Number(parts[1]);
  if (lat < -90 || lat > 90) {
    return { ok: false, problem: `latitude ${lat} is outside [-90, 90] (CAP writes lat,lon)` };
  }
  if (lon < -180 || lon > 180) {
    return { ok: false, problem: `longitude ${lon} is outside [-180, 180]` };
  }
  return { ok: true, value: [lon, lat] };
}

/** CAP polygon "lat,lon lat,lon …": at least 4 points, closed (first = last). Returns the ring as [lon, lat]. */
export function parsePolygon(text: string): Parsed<Array<[number, number]>> {
  const pairs = text.split(/\s+/).filter((p) => p !== '');
  const ring: Array<[number, number]> = [];
  for (const pair of pairs) {
    const point = parsePoint(pair);
    if (!point.ok) {
      return point;
    }
    ring.push(point.value);
  }
  if (ring.length < 4) {
    return { ok: false, problem: `a polygon needs at least 4 points (first repeated last), got ${ring.length}` };
  }
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return { ok: false, problem: 'the polygon is not closed: the last point must equal the first' };
  }
  return { ok: true, value: ring };
}

/**
 * CAP circle "lat,lon radius" (radius in km). A radius of 0 is accepted: real feeds (USGS) use it for a
 * point such as an epicentre. Negative or absurd radii are refused.
 */
export function parseCircle(text: string): Parsed<{ lon: number; lat: number; radiusKm: number }> {
  const parts = text.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 2) {
    return { ok: false, problem: `"${text}" is not "lat,lon radius"` };
  }
  const centre = parsePoint(parts[0]);
  if (!centre.ok) {
    return centre;
  }
  if (!NUMBER.test(parts[1])) {
    return { ok: false, problem: `radius "${parts[1]}" is not a number of kilometres` };
  }
  const radiusKm = Number(parts[1]);
  if (radiusKm < 0 || radiusKm > MAX_RADIUS_KM) {
    return { ok: false, problem: `radius ${radiusKm} km is outside [0, ${MAX_RADIUS_KM}]` };
  }
  const [lon, lat] = centre.value;
  return { ok: true, value: { lon, lat, radiusKm } };
}
