import { chinaDate, chinaDateTime, chinaIso } from './china-time';

describe('China time', () => {
  it('reads an instant on the UTC+8 wall clock, across the date line of midnight', () => {
    const lateUtc = Date.UTC(2026, 6, 10, 18, 4, 5); // 02:04:05 next day in China
    expect(chinaIso(lateUtc)).toBe('2026-07-11T02:04:05');
    expect(chinaDate(new Date(lateUtc))).toBe('2026-07-11');
    expect(chinaDateTime(lateUtc)).toBe('2026-07-11 02:04:05');
    expect(chinaDate(Date.UTC(2026, 6, 10, 15, 59, 59))).toBe('2026-07-10');
  });
});
