import { isApiRole, isLevelName, LEVEL_ZH, levelName, reasonText, roleLabel, warningEventZh } from './words';

describe('the table of words', () => {
  it('names levels 1–4 by colour, no level as blue', () => {
    expect([1, 2, 3, 4, null].map(levelName)).toEqual(['red', 'orange', 'yellow', 'blue', 'blue']);
    expect(LEVEL_ZH[levelName(1)]).toBe('红色');
    expect(isLevelName('orange')).toBe(true);
    expect(isLevelName('purple')).toBe(false);
    expect(isApiRole('commander')).toBe(true);
    expect(isApiRole('toString')).toBe(false);
    expect(isApiRole('viewer')).toBe(false);
  });

  it('names the event from hazard and colour', () => {
    expect(warningEventZh('rainstorm', 'red')).toBe('暴雨红色预警');
    expect(warningEventZh('forest_fire', 'orange')).toBe('森林火险橙色预警');
    expect(warningEventZh('unknown', null)).toBe('预警');
  });

  it('prints the first of the labels towns use, and 包干 tiers by their name', () => {
    expect(roleLabel('monitor')).toBe('监测预警员');
    expect(roleLabel('town_village')).toBe('镇（街道）领导包村（社区）');
    expect(roleLabel('unknown_slot')).toBe('unknown_slot');
  });

  it('says why a person is called in one sentence per reason', () => {
    expect(
      reasonText({ kind: 'assignment', targetName: '汀溪村3组山洪危险区', roleSlot: 'admin', sector: 'flood' }),
    ).toBe('汀溪村3组山洪危险区 行政责任人（防汛）');
    expect(reasonText({ kind: 'contracting', roleSlot: 'town_village', targetName: '汀溪村' })).toBe(
      '镇（街道）领导包村（社区）：汀溪村',
    );
    expect(reasonText({ kind: 'one_to_one', targetName: '王大爷' })).toBe('一对一叫应：王大爷');
    expect(reasonText({ kind: 'escalation', note: '李四未在时限内应答' })).toBe('升级叫应：李四未在时限内应答');
  });
});
