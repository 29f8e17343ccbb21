import { chinaDays } from './alibaba.providers';

describe('chinaDays (the days QuerySendDetails is asked about)', () => {
  it('lists each China day from since to now', () => {
    // 23:30 on 5 Dec and 00:30 on 7 Dec, China time.
    expect(chinaDays(new Date('2026-12-05T15:30:00Z'), new Date('2026-12-06T16:30:00Z'))).toEqual([
      '20261205',
      '20261206',
      '20261207',
    ]);
    expect(chinaDays(new Date('2026-12-06T01:00:00Z'), new Date('2026-12-06T09:00:00Z'))).toEqual(['20261206']);
  });

  it('gives today only, and returns, when since is after now (a row stamped by a clock ahead of ours)', () => {
    expect(chinaDays(new Date('2026-12-06T09:00:00Z'), new Date('2026-07-02T00:00:00Z'))).toEqual(['20260702']);
  });
});
