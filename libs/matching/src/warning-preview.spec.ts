import { countRecipients } from './warning-preview.service';

describe('countRecipients', () => {
  it('counts per tier, town and village, with county-level people apart', () => {
    const c = countRecipients([
      {
        tier: 0,
        reachable: true,
        townCode: '500230107',
        townName: '十直镇',
        villageCode: '500230107200',
        villageName: '汀溪村',
      },
      {
        tier: 0,
        reachable: false,
        townCode: '500230107',
        townName: '十直镇',
        villageCode: '500230107200',
        villageName: '汀溪村',
      },
      { tier: 1, reachable: true, townCode: '500230107', townName: '十直镇', villageCode: null, villageName: null },
      { tier: 0, reachable: true, townCode: null, townName: null, villageCode: null, villageName: null },
    ]);
    expect(c).toEqual({
      total: 4,
      reachable: 3,
      unreachable: 1,
      byTier: { 0: 3, 1: 1 },
      countyLevel: 1,
      byTown: [{ code: '500230107', name: '十直镇', count: 3 }],
      byVillage: [{ code: '500230107200', name: '汀溪村', townCode: '500230107', count: 2 }],
    });
  });
});
