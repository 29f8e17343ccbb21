import { countyOutlineWgs84, gcj02ToWgs84 } from './outlines';

describe('GCJ-02 → WGS84', () => {
  it('moves a 铜梁 point by about −0.0039° lon and +0.0025° lat', () => {
    const [lon, lat] = gcj02ToWgs84([106.05, 29.84]);
    expect(lon - 106.05).toBeCloseTo(-0.0039, 3);
    expect(lat - 29.84).toBeCloseTo(0.0025, 3);
  });

  it('converts a whole county outline into closed WGS84 rings, without touching the source', () => {
    const outline = countyOutlineWgs84('500151');
    expect(outline.type).toBe('MultiPolygon');
    expect(outline.coordinates.length).toBeGreaterThan(0);
    for (const polygon of outline.coordinates) {
      for (const ring of polygon) {
        expect(ring[0]).toEqual(ring[ring.length - 1]);
      }
    }
    const first = outline.coordinates[0][0][0];
    expect(first[0]).toBeGreaterThan(105.6);
    expect(first[0]).toBeLessThan(106.4);
    // A second load converts the file again from GCJ-02, so it must give the same result.
    expect(countyOutlineWgs84('500151')).toEqual(outline);
  });

  it('refuses an unknown county', () => {
    expect(() => countyOutlineWgs84('500101')).toThrow(/no outline/);
  });
});
