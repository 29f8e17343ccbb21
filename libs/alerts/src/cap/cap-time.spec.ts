import { checkPlausible, parseCapDateTime, SENT_AHEAD_MS } from './cap-time';
import { parseReferences } from './cap-references';

describe('parseCapDateTime', () => {
  it('reads the zone offset', () => {
    const t = parseCapDateTime('2024-07-11T01:52:00+08:00');
    expect(t.ok && t.value.toISOString()).toBe('2024-07-10T17:52:00.000Z');
    const w = parseCapDateTime('2010-08-31T00:09:25-05:00');
    expect(w.ok && w.value.toISOString()).toBe('2010-08-31T05:09:25.000Z');
  });

  it.each([
    '2024-07-11T01:52:00',
    '2024-07-11T01:52:00Z',
    '2024-07-11T01:52:00.5+08:00',
    '2024-07-11 01:52:00+08:00',
    '20240711T015200+0800',
  ])('refuses %s (no CAP zone offset form)', (text) => {
    const t = parseCapDateTime(text);
    expect(t.ok ? '' : t.problem).toMatch(/zone offset/);
  });

  it.each([
    '2023-02-29T00:00:00+08:00',
    '2024-13-01T00:00:00+08:00',
    '2024-07-11T24:00:00+08:00',
    '2024-07-11T01:52:00+15:00',
  ])('refuses the impossible %s', (text) => {
    const t = parseCapDateTime(text);
    expect(t.ok ? '' : t.problem).toMatch(/not a real date/);
  });

  it('finds absurd instants relative to now', () => {
    const now = new Date('2024-07-11T00:00:00Z');
    expect(checkPlausible(new Date('1999-12-31T23:59:59Z'), now, SENT_AHEAD_MS)).toMatch(/before 2000/);
    expect(checkPlausible(new Date('2024-07-12T00:00:00Z'), now, SENT_AHEAD_MS)).toBeNull();
    expect(checkPlausible(new Date('2024-07-12T00:00:01Z'), now, SENT_AHEAD_MS)).toMatch(/future/);
    // Well-formed but no instant: month 13, hour 25 (a reading's `at` passes its pattern and still names nothing).
    expect(checkPlausible(new Date('2024-13-45T25:61:61+08:00'), now, SENT_AHEAD_MS)).toMatch(/not a real date/);
  });
});

describe('parseReferences', () => {
  const now = new Date('2024-09-01T00:00:00Z');

  it('reads space-separated sender,identifier,sent triples', () => {
    const r = parseReferences(' a@x,ID-1,2024-07-11T01:52:00+08:00\n b@x,ID-2,2024-07-11T08:30:00+08:00 ', now);
    expect(r).toEqual({
      ok: true,
      value: [
        { sender: 'a@x', identifier: 'ID-1', sent: new Date('2024-07-10T17:52:00Z') },
        { sender: 'b@x', identifier: 'ID-2', sent: new Date('2024-07-11T00:30:00Z') },
      ],
    });
  });

  it.each([
    ['', /empty/],
    ['a@x,ID-1', /not a "sender,identifier,sent" triple/],
    ['a@x,,2024-07-11T01:52:00+08:00', /triple/],
    ['a@x,ID-1,2024-07-11T01:52:00+08:00,extra', /triple/],
    ['a@x,ID-1,yesterday', /zone offset/],
    ['a@x,ID-1,2030-01-01T00:00:00+08:00', /future/],
  ])('refuses %j', (text, problem) => {
    const r = parseReferences(text, now);
    expect(r.ok ? '' : r.problem).toMatch(problem);
  });
});
