import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeBroadcast, composeCallSms, composeCallVoice, composePublicSms, CallContent } from './compose';
import { spoken } from './spoken';
import { MessageTemplates, toPositional } from './templates';

const templates = MessageTemplates.load(join(__dirname, '../../../../config/templates'));
const now = new Date('2024-07-10T17:50:00Z'); // 01:50 Beijing, 11 July
const call: CallContent = {
  personName: '王建国',
  hazard: 'rainstorm',
  level: 1,
  event: '暴雨红色预警',
  headline: '丰都县气象台发布暴雨红色预警信号',
  instruction:
    '十直镇等地3小时内降雨量将达100毫米以上，山洪、滑坡风险极高，请立即组织危险区群众转移，转移途中远离河道、沟谷和陡坡，确保人员安全',
  areaDesc: '十直镇',
  isDrill: false,
  requiresAck: true,
  deadlineAt: new Date('2024-07-10T18:04:00Z'),
  reasons: [{ kind: 'assignment', roleSlot: 'admin', targetName: '汀溪村3组山洪危险区' }],
  link: 'http://127.0.0.1:3000/a/Ab3dE5gH9k',
};

describe('message templates', () => {
  it('picks the most specific template: hazard.level, hazard, level, default', () => {
    expect(templates.pick('public_sms', 'rainstorm', 'red').key).toBe('rainstorm.red');
    expect(templates.pick('public_sms', 'flash_flood', 'orange').key).toBe('flash_flood');
    expect(templates.pick('sms', 'rainstorm', 'blue').key).toBe('blue');
    expect(templates.pick('sms', 'gale', 'yellow').key).toBe('default');
  });

  it('refuses a folder with an unknown variable or a channel without default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ sms: { default: '${phone}' } }));
    expect(() => MessageTemplates.load(dir)).toThrow(
      /unknown variable \$\{phone\}.*voice.default is missing|voice.default is missing.*unknown variable/,
    );
  });

  it('numbers variables for positional (Tencent) templates', () => {
    expect(toPositional('${a}和${b}，再说${a}')).toEqual({ text: '{1}和{2}，再说{1}', names: ['a', 'b'] });
  });
});

describe('composed messages', () => {
  it('puts the signature first, keeps the short link whole and fits the SMS in the segment budget', () => {
    const sms = composeCallSms(templates, call, '叫应预警', 2, now);
    expect(sms.full.startsWith('【叫应预警】王建国：丰都县气象台发布暴雨红色预警信号。')).toBe(true);
    expect(sms.full).toContain('请于02:04前回复1或点http://127.0.0.1:3000/a/Ab3dE5gH9k确认收到');
    expect(sms.length).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(sms.full.length).toBeLessThanOrEqual(134);
    expect(sms.params.instruction).toMatch(/…$/);
    const roomy = composeCallSms(templates, call, '叫应预警', 3, now);
    expect(roomy.params.instruction).not.toContain('…');
  });

  it('marks drills with 【演练】 on every channel', () => {
    const drill = { ...call, isDrill: true };
    expect(composeCallSms(templates, drill, '叫应预警', 3, now).full).toContain('【叫应预警】【演练】');
    expect(composeCallVoice(templates, drill, now).text.startsWith('演练，')).toBe(true);
  });

  it('writes voice text to be spoken: no link, times as 点/分, the keypress prompt', () => {
    const voice = composeCallVoice(templates, call, now).text;
    expect(voice).not.toMatch(/http|\/a\//);
    expect(voice).toContain('请在2点04分前确认');
    expect(voice).toContain('收到请按1');
    expect(spoken('值班电话02312345678，18:00前')).toBe('值班电话零 二 三 一 二 三 四 五 六 七 八，18点整前');
  });

  it('asks nothing of residents and of notify-only calls', () => {
    const pub = composePublicSms(templates, call, '叫应预警', 3);
    expect(pub.full).toContain('山洪、地质灾害危险区群众请立即转移');
    expect(pub.full).not.toMatch(/回复|http/);
    const blue = composeCallSms(
      templates,
      { ...call, level: 4, requiresAck: false, deadlineAt: null },
      '叫应预警',
      3,
      now,
    );
    expect(blue.full).not.toContain('回复1');
    expect(blue.full).toContain('详情http://127.0.0.1:3000/a/Ab3dE5gH9k');
    expect(composeBroadcast(templates, call).text.startsWith('紧急通知')).toBe(true);
  });
});
