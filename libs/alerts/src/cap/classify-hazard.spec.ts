import { join } from 'node:path';
import { classifyColour, classifyHazard } from './classify-hazard';
import { loadHazardTables } from './hazard-tables';

const tables = loadHazardTables(join(__dirname, '../../../../config/hazard-map.json'));

describe('classifyHazard (config/hazard-map.json)', () => {
  it.each([
    ['暴雨红色预警信号', 'rainstorm'],
    ['雷电黄色预警信号', 'thunder'],
    ['雷雨大风橙色预警信号', 'thunder'], // 雷雨大风 outranks 大风
    ['大风蓝色预警信号', 'gale'],
    ['高温红色预警信号', 'heat'],
    ['森林火险橙色预警信号', 'forest_fire'],
    ['地质灾害气象风险橙色预警', 'geo_hazard'],
    ['暴雨诱发地质灾害气象风险预警', 'geo_hazard'],
    ['小流域山洪灾害气象风险预警', 'flash_flood'],
    ['中小河流洪水预警', 'flood'],
    ['水库超汛限水位', 'reservoir'],
    ['地震预警', 'earthquake'],
    ['SEVERE THUNDERSTORM', 'thunder'],
    ['Flash Flood Watch', 'flash_flood'],
    ['River Flood Warning', 'flood'],
    ['Earthquake', 'earthquake'],
    ['Red Flag Warning', 'forest_fire'],
    ['Fireworks Festival', 'other'], // Latin keywords match whole words only
    ['寒潮蓝色预警信号', 'other'],
    ['', 'other'],
  ])('%s → %s', (event, code) => {
    expect(classifyHazard(event, [], tables)).toBe(code);
  });

  it('prefers a known eventCode to the event text', () => {
    expect(classifyHazard('Special Weather Statement', [{ valueName: 'same', value: 'ffw' }], tables)).toBe(
      'flash_flood',
    );
    expect(classifyHazard('暴雨', [{ valueName: 'SAME', value: 'XYZ' }], tables)).toBe('rainstorm');
  });
});

describe('classifyColour', () => {
  const level = (value: string, valueName = '预警级别') =>
    classifyColour([{ valueName, value }], '', 'Unknown', tables);

  it.each([
    ['红色', 'red'],
    ['Ⅰ级', 'red'],
    ['I', 'red'],
    ['1', 'red'],
    ['一级', 'red'],
    ['橙色预警', 'orange'],
    ['Ⅱ', 'orange'],
    ['ii', 'orange'],
    ['黄色', 'yellow'],
    ['III级', 'yellow'],
    ['３', 'yellow'],
    ['Blue', 'blue'],
    ['Ⅳ', 'blue'],
    ['4', 'blue'],
    ['一般', 'blue'],
  ])('parameter 预警级别=%s → %s', (value, colour) => {
    expect(level(value)).toBe(colour);
  });

  it('reads level/color/colour parameters whatever their case', () => {
    expect(level('orange', 'Level')).toBe('orange');
    expect(level('RED', 'color')).toBe('red');
    expect(level('yellow', 'COLOUR')).toBe('yellow');
  });

  it('ignores other parameters and unknown values, then tries the event text, then severity', () => {
    expect(classifyColour([{ valueName: '森林火险等级', value: '4' }], '森林火险橙色预警', 'Unknown', tables)).toBe(
      'orange',
    );
    expect(classifyColour([{ valueName: '预警级别', value: '紫色' }], '暴雨黄色预警', 'Extreme', tables)).toBe(
      'yellow',
    );
    expect(classifyColour([], '暴雨预警', 'Extreme', tables)).toBe('red');
    expect(classifyColour([], 'Storm', 'Moderate', tables)).toBe('yellow');
    expect(classifyColour([], 'Storm', 'Minor', tables)).toBe('blue');
    expect(classifyColour([], 'Storm', 'Unknown', tables)).toBeNull();
  });

  it('lets the parameter win over the event text, and takes the most severe colour named in the event', () => {
    expect(classifyColour([{ valueName: '预警级别', value: '蓝色' }], '暴雨红色预警', 'Extreme', tables)).toBe('blue');
    expect(classifyColour([], '暴雨橙色预警升级为红色预警', 'Severe', tables)).toBe('red');
  });
});
