import { evaluateRain, evaluateWaterLevel, fireRatingHit, rainfallTotals } from './thresholds';

const colours = { flood_limit: 'yellow', warning: 'orange', guaranteed: 'red' } as const;
const at = (iso: string) => new Date(iso);

describe('water-level thresholds', () => {
  const river = { warningLevel: 238.5, guaranteedLevel: 241, floodLimitLevel: null };
  const reservoir = { warningLevel: null, guaranteedLevel: 356.2, floodLimitLevel: 353.5 };

  it('gives nothing below the lowest threshold', () => {
    expect(evaluateWaterLevel(river, 238.49, colours)).toBeNull();
  });

  it('takes the most severe threshold reached (≥ counts)', () => {
    expect(evaluateWaterLevel(river, 238.5, colours)).toEqual({
      colour: 'orange',
      level: 2,
      reason: '水位238.5米，达到警戒水位238.5米',
    });
    expect(evaluateWaterLevel(river, 242, colours)).toMatchObject({
      colour: 'red',
      level: 1,
      reason: expect.stringContaining('保证水位241米') as string,
    });
  });

  it('uses 汛限水位 for reservoirs', () => {
    expect(evaluateWaterLevel(reservoir, 353.62, colours)).toMatchObject({
      colour: 'yellow',
      reason: '水位353.62米，达到汛限水位353.5米',
    });
  });

  it('follows the configured colours', () => {
    expect(evaluateWaterLevel(river, 239, { ...colours, warning: 'blue' })?.colour).toBe('blue');
  });
});

describe('rainfall windows', () => {
  const now = at('2024-07-11T02:00:00+08:00');
  const readings = [
    { at: at('2024-07-11T02:00:00+08:00'), rainfallMm: 20 },
    { at: at('2024-07-11T01:30:00+08:00'), rainfallMm: 15 }, // inside 1 h
    { at: at('2024-07-11T01:00:00+08:00'), rainfallMm: 10 }, // exactly 1 h old: 3 h only
    { at: at('2024-07-10T23:00:01+08:00'), rainfallMm: 40 }, // inside 3 h
    { at: at('2024-07-10T12:00:00+08:00'), rainfallMm: 7.25 }, // inside 24 h
    { at: at('2024-07-10T02:00:00+08:00'), rainfallMm: 99 }, // 24 h old: out
    { at: at('2024-07-11T02:10:00+08:00'), rainfallMm: 500 }, // after `at`: out
  ];

  it('sums the rain of the intervals ending in the last 1, 3 and 24 hours', () => {
    expect(rainfallTotals(readings, now)).toEqual({ 1: 35, 3: 85, 24: 92.25 });
  });

  it('is all zero with no readings', () => {
    expect(rainfallTotals([], now)).toEqual({ 1: 0, 3: 0, 24: 0 });
  });

  const thresholds = [
    { hours: 24, mm: 50, colour: 'blue' },
    { hours: 3, mm: 50, colour: 'orange' },
    { hours: 3, mm: 100, colour: 'red' },
    { hours: 1, mm: 30, colour: 'yellow' },
  ] as const;

  it('picks the most severe threshold reached over its own window', () => {
    expect(evaluateRain([...thresholds], { 1: 35, 3: 85, 24: 92.25 })).toEqual({
      colour: 'orange',
      level: 2,
      reason: '3小时降雨量85毫米，达到50毫米',
    });
    expect(evaluateRain([...thresholds], { 1: 0, 3: 100, 24: 100 })?.colour).toBe('red');
    expect(evaluateRain([...thresholds], { 1: 10, 3: 20, 24: 49.9 })).toBeNull();
  });
});

describe('forest-fire danger rating table', () => {
  const table = { '3': 'yellow', '4': 'orange', '5': 'red' } as const;

  it.each([
    [1, null],
    [2, null],
    [3, 'yellow'],
    [4, 'orange'],
    [5, 'red'],
  ])('rating %i gives %s', (rating, colour) => {
    expect(fireRatingHit(rating, table)?.colour ?? null).toBe(colour);
  });

  it('follows a configured table', () => {
    expect(fireRatingHit(2, { '2': 'blue' })).toEqual({ colour: 'blue', level: 4, reason: '森林火险气象等级2级' });
  });
});
