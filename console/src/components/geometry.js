/** Small plane geometry on [lon, lat] rings: enough to tell which towns a drawn area touches and to turn a circle into a ring. */
export function pointInRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

/** Outer rings of a GeoJSON Polygon or MultiPolygon. */
export function outerRings(geometry) {
  if (!geometry) {
    return [];
  }
  if (geometry.type === 'Polygon') {
    return [geometry.coordinates[0]];
  }
  if (geometry.type === 'MultiPolygon') {
    return geometry.coordinates.map((p) => p[0]);
  }
  return [];
}

export function ringsTouch(a, b) {
  return a.some((p) => pointInRing(p, b)) || b.some((p) => pointInRing(p, a));
}

/** A circle of radiusKm around [lon, lat] as a closed ring of 64 points. */
export function circleRing([lon, lat], radiusKm) {
  const dLat = radiusKm / 111.32;
  const dLon = radiusKm / (111.32 * Math.cos((lat * Math.PI) / 180));
  const ring = [];
  for (let i = 0; i < 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    ring.push([round(lon + dLon * Math.cos(a)), round(lat + dLat * Math.sin(a))]);
  }
  ring.push(ring[0]);
  return ring;
}

export function distanceKm([lon1, lat1], [lon2, lat2]) {
  const dx = (lon2 - lon1) * 111.32 * Math.cos((((lat1 + lat2) / 2) * Math.PI) / 180);
  const dy = (lat2 - lat1) * 111.32;
  return Math.sqrt(dx * dx + dy * dy);
}

export const round = (v) => Math.round(v * 1e6) / 1e6;
