import { parseCircle, parsePolygon } from './cap-geometry';

describe('parsePolygon', () => {
  it('flips CAP lat,lon to [lon, lat] and tolerates extra whitespace', () => {
    expect(parsePolygon(' 29.9,107.8\n29.9,107.9  29.8,107.9 29.9,107.8 ')).toEqual({
      ok: true,
      value: [
        [107.8, 29.9],
        [107.9, 29.9],
        [107.9, 29.8],
        [107.8, 29.9],
      ],
    });
  });

  it.each([
    ['29.9,107.8 29.9,107.9 29.9,107.8', /at least 4/],
    ['29.9,107.8 29.9,107.9 29.8,107.9 29.8,107.8', /not closed/],
    ['91,107.8 29.9,107.9 29.8,107.9 91,107.8', /latitude 91/],
    ['29.9,181 29.9,107.9 29.8,107.9 29.9,181', /longitude 181/],
    ['29.9,107.8 29.9;107.9 29.8,107.9 29.9,107.8', /not a "lat,lon" pair/],
    ['29.9,1e2 29.9,107.9 29.8,107.9 29.9,1e2', /not a "lat,lon" pair/],
    ['', /at least 4/],
  ])('refuses %j', (text, problem) => {
    const result = parsePolygon(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toMatch(problem);
  });
});

describe('parseCircle', () => {
  it('reads centre and radius; radius 0 is a point', () => {
    expect(parseCircle('29.9,107.9 8.5')).toEqual({ ok: true, value: { lat: 29.9, lon: 107.9, radiusKm: 8.5 } });
    expect(parseCircle('32.9525,-115.5527 0')).toEqual({
      ok: true,
      value: { lat: 32.9525, lon: -115.5527, radiusKm: 0 },
    });
  });

  it.each([
    ['29.9,107.9 -1', /radius -1/],
    ['29.9,107.9 30000', /radius 30000/],
    ['29.9,107.9', /lat,lon radius/],
    ['29.9,107.9 km', /not a number/],
    ['-95,107.9 1', /latitude -95/],
  ])('refuses %j', (text, problem) => {
    const result = parseCircle(text);
    expect(result.ok ? '' : result.problem).toMatch(problem);
  });
});
