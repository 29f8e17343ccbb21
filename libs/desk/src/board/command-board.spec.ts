import { byUrgency, Counts } from './command-board.service';

const unit = (code: string, c: Partial<Counts>): Counts & { code: string } => ({
  code,
  called: 10,
  delivered: 0,
  answered: 0,
  running: 0,
  overdue: 0,
  escalated: 0,
  unreachable: 0,
  superviseSilent: 0,
  awaited: 10,
  nextDeadline: null,
  overdueSince: null,
  rate: 0,
  status: 'green',
  ...c,
});

describe('board urgency', () => {
  it('puts red first (most overdue, then longest overdue), then amber by the earliest deadline, then the lowest 叫应率', () => {
    const list = [
      unit('g-low', { status: 'green', rate: 0.2 }),
      unit('a-late', { status: 'amber', running: 3, nextDeadline: new Date('2026-01-01T10:05:00Z') }),
      unit('r-few', { status: 'red', overdue: 1, overdueSince: new Date('2026-01-01T09:00:00Z') }),
      unit('g-high', { status: 'green', rate: 1 }),
      unit('r-many', { status: 'red', overdue: 5, overdueSince: new Date('2026-01-01T09:50:00Z') }),
      unit('a-soon', { status: 'amber', running: 1, nextDeadline: new Date('2026-01-01T10:01:00Z') }),
      unit('idle', { status: 'idle', called: 0, awaited: 0, rate: null }),
    ];
    expect(list.sort(byUrgency).map((u) => u.code)).toEqual([
      'r-many',
      'r-few',
      'a-soon',
      'a-late',
      'g-low',
      'g-high',
      'idle',
    ]);
  });
});
