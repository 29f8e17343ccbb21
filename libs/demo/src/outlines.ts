import gcoord from 'gcoord';
import { OUTLINE_FILES, readDataFile } from './data-files';

export type Position = [number, number];
export type MultiPolygonCoords = Position[][][];

export interface MultiPolygonGeoJson {
  type: 'MultiPolygon';
  coordinates: MultiPolygonCoords;
}

/** One GCJ-02 (AMap/DataV) lon/lat to WGS84, rounded to 7 decimals (~1 cm). */
export function gcj02ToWgs84([lon, lat]: Position): Position {
  const [x, y] = gcoord.transform<Position>([lon, lat], gcoord.GCJ02, gcoord.WGS84);
  return [round7(x), round7(y)];
}

function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

/** Converts every vertex; returns new arrays (gcoord would otherwise mutate its input). */
export function multiPolygonToWgs84(coords: MultiPolygonCoords): MultiPolygonCoords {
  return coords.map((polygon) => polygon.map((ring) => ring.map((p) => gcj02ToWgs84(p))));
}

interface DataVCollection {
  type: 'FeatureCollection';
  features: Array<{ properties: { adcode: number; name: string }; geometry: { type: string; coordinates: unknown } }>;
}

/** A county's DataV outline (file in GCJ-02) as a WGS84 MultiPolygon; real geometry, demo use only. */
export function countyOutlineWgs84(countyCode: string): MultiPolygonGeoJson {
  const file = OUTLINE_FILES[countyCode];
  if (!file) {
    throw new Error(`no outline file for county ${countyCode}`);
  }
  const collection = JSON.parse(readDataFile(file)) as DataVCollection;
  const feature = collection.features.find((f) => String(f.properties.adcode) === countyCode);
  if (!feature) {
    throw new Error(`${file}: no feature with adcode ${countyCode}`);
  }
  let coords: MultiPolygonCoords;
  if (feature.geometry.type === 'MultiPolygon') {
    coords = feature.geometry.coordinates as MultiPolygonCoords;
  } else if (feature.geometry.type === 'Polygon') {
    coords = [feature.geometry.coordinates as Position[][]];
  } else {
    throw new Error(`${file}: unexpected geometry ${feature.geometry.type}`);
  }
  return { type: 'MultiPolygon', coordinates: multiPolygonToWgs84(coords) };
}
