import { join } from 'node:path';
import { composeNoticeSms, noticeDetails } from './compose';
import { MessageTemplates } from './templates';

const templates = MessageTemplates.load(join(__dirname, '../../../../config/templates'));
const longLink = `http://127.0.0.1:3000/order/${'e'.repeat(140)}.${'s'.repeat(43)}`;
const order = {
  kind: 'order',
  subject: '【熔断指令·停工】十直镇电站停工、人员撤离至安全区',
  body: `【熔断指令·停工】十直镇电站停工、人员撤离至安全区\n执行单位：十直镇电站\n立即停机，关闭进水闸门，值守人员全部撤至厂区后山安全区，严禁任何人员返回厂房\n请打开以下链接立即确认收到；执行完毕后在同一页面上报执行情况（说明，可附照片链接）：\n${longLink}`,
  link: longLink,
  shortLink: 'http://127.0.0.1:3000/a/Ab3dE5gH9k',
  isDrill: false,
};

describe('notices by SMS', () => {
  it('says the subject and what the body adds, without repeating the subject or the long link', () => {
    expect(noticeDetails(order.subject, order.body, order.link)).toBe(
      '执行单位：十直镇电站。立即停机，关闭进水闸门，值守人员全部撤至厂区后山安全区，严禁任何人员返回厂房。请打开以下链接立即确认收到；执行完毕后在同一页面上报执行情况（说明，可附照片链接）：',
    );
  });

  it('carries the short link whole and fits the segment budget by shortening the text', () => {
    const sms = composeNoticeSms(templates, order, '叫应预警', 2);
    expect(sms.full.startsWith('【叫应预警】【熔断指令·停工】十直镇电站停工、人员撤离至安全区。执行单位')).toBe(true);
    expect(sms.full.endsWith('http://127.0.0.1:3000/a/Ab3dE5gH9k')).toBe(true);
    expect(sms.full).not.toContain('/order/');
    expect(sms.length.segments).toBeLessThanOrEqual(2);
    expect(sms.params.instruction).toMatch(/…$/);
    expect(sms.template).toMatchObject({ channel: 'notice_sms', key: 'default' });
  });

  it('takes the kind’s own template, marks drills, and asks nothing of who-answered notices', () => {
    const peer = composeNoticeSms(
      templates,
      {
        kind: 'answered_by_peer',
        subject: '【应答通报】王建国 已收到：丰都县气象台发布暴雨红色预警信号',
        body: '丰都县气象台发布暴雨红色预警信号\n汀溪村3组山洪危险区：王建国 已确认“已收到”。\n本消息仅为通报，无需回复；您自己的叫应仍需按时确认。',
        link: null,
        shortLink: null,
        isDrill: true,
      },
      '叫应预警',
      3,
    );
    expect(peer.template.key).toBe('answered_by_peer');
    expect(peer.full).toBe(
      '【叫应预警】【演练】【应答通报】王建国 已收到：丰都县气象台发布暴雨红色预警信号。汀溪村3组山洪危险区：王建国 已确认“已收到”。本消息仅为通报，无需回复；您自己的叫应仍需按时确认。',
    );
    expect(templates.carrierCode(peer.template, 'alibaba')).toBe('JY_notice_sms_answered_by_peer');
  });
});
