import { reasonText } from '@app/config';
import { renderCallEmail } from './message-renderer';

const base = {
  personName: '王建国',
  headline: '丰都县气象台发布暴雨红色预警信号',
  event: '暴雨红色预警',
  colour: 'red',
  instruction: '立即转移',
  areaDesc: '十直镇',
  isDrill: false,
  deadlineAt: new Date('2024-07-10T18:04:00Z'),
  requiresAck: true,
  reasons: [
    { kind: 'assignment' as const, roleSlot: 'admin', targetName: '汀溪村3组山洪危险区' },
    { kind: 'contracting' as const, roleSlot: 'town_village', targetName: '汀溪村' },
  ],
  ackUrl: 'https://jy.example/ack/abc.def',
};

describe('renderCallEmail', () => {
  it('says what, why this person, by when (Beijing time) and links to the answer', () => {
    const mail = renderCallEmail(base);
    expect(mail.subject).toBe('【红色预警】丰都县气象台发布暴雨红色预警信号 — 请立即确认');
    expect(mail.text).toContain('汀溪村3组山洪危险区 行政责任人（综合）');
    expect(mail.text).toContain('镇（街道）领导包村（社区）：汀溪村');
    expect(mail.text).toContain('2024/7/11 02:04:00');
    expect(mail.text).toContain('https://jy.example/ack/abc.def');
  });

  it('marks drills and escapes HTML', () => {
    const mail = renderCallEmail({ ...base, isDrill: true, headline: '<b>演练</b>' });
    expect(mail.subject.startsWith('【演练】')).toBe(true);
    expect(mail.html).toContain('&lt;b&gt;演练&lt;/b&gt;');
  });

  it('asks no confirmation for notify-only warnings', () => {
    const mail = renderCallEmail({ ...base, requiresAck: false });
    expect(mail.subject).not.toContain('确认');
  });

  it('describes an escalation by its note', () => {
    expect(reasonText({ kind: 'escalation', note: '李四未在时限内应答' })).toBe('升级叫应：李四未在时限内应答');
  });
});
