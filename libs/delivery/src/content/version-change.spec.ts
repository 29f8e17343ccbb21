import { join } from 'node:path';
import type { ClaimedAttempt } from '../attempts/attempt-store';
import { callContent } from '../channels/call-channel';
import { renderCallEmail } from '../message-renderer';
import { composeCallSms, composeCallVoice } from './compose';
import { MessageTemplates } from './templates';
import { changeTagZh, taggedHeadline } from './version-change';

const templates = MessageTemplates.load(join(__dirname, '../../../../config/templates'));
const now = new Date('2024-07-10T17:50:00Z');

describe('what an update changed, in every message', () => {
  it.each([
    ['upgrade', 'red', '【升级为红色预警】'],
    ['downgrade', 'orange', '【降级为橙色预警】'],
    ['area', 'yellow', '【范围调整·黄色预警】'],
    ['update', 'blue', '【更新·蓝色预警】'],
    ['lift', 'orange', '【解除】'],
  ] as const)('%s to %s → %s', (change, colour, tag) => {
    expect(changeTagZh(change, colour)).toBe(tag);
  });

  it('leaves a first version alone and never doubles 解除', () => {
    expect(taggedHeadline('丰都县气象台发布暴雨红色预警信号', null, 'red')).toBe('丰都县气象台发布暴雨红色预警信号');
    expect(taggedHeadline('【解除】丰都县气象台发布暴雨红色预警信号', 'lift', 'red')).toBe(
      '【解除】丰都县气象台发布暴雨红色预警信号',
    );
    expect(taggedHeadline('丰都县气象台解除暴雨橙色预警信号', 'lift', 'orange')).toBe(
      '丰都县气象台解除暴雨橙色预警信号',
    );
  });

  const downgrade = {
    person_name: '王建国',
    hazard_type: 'rainstorm',
    level: 2,
    event: '暴雨橙色预警',
    headline: '丰都县气象台发布暴雨橙色预警信号',
    change: 'downgrade',
    instruction: '',
    area_desc: '十直镇',
    is_drill: false,
    requires_ack: true,
    deadline_at: new Date('2024-07-10T18:10:00Z'),
    reasons: [],
  } as unknown as ClaimedAttempt;

  it('puts the change and the new level in front of the SMS and the voice text', () => {
    const content = callContent(downgrade, 'http://127.0.0.1:3000/a/Ab3dE5gH9k');
    expect(composeCallSms(templates, content, '叫应预警', 3, now).text).toMatch(
      /^王建国：【降级为橙色预警】丰都县气象台发布暴雨橙色预警信号。/,
    );
    expect(composeCallVoice(templates, content, now).text).toContain('降级为橙色预警丰都县气象台发布暴雨橙色预警信号');
  });

  it('replaces the colour tag of the email subject by the change', () => {
    const mail = renderCallEmail({
      personName: '王建国',
      headline: '丰都县气象台发布暴雨橙色预警信号',
      change: 'downgrade',
      event: '暴雨橙色预警',
      colour: 'orange',
      instruction: '',
      areaDesc: '十直镇',
      isDrill: false,
      deadlineAt: null,
      requiresAck: false,
      reasons: [],
      ackUrl: 'http://x/ack/t',
    });
    expect(mail.subject).toBe('【降级为橙色预警】丰都县气象台发布暴雨橙色预警信号');
    expect(mail.text).toContain('【降级为橙色预警】丰都县气象台发布暴雨橙色预警信号');
  });
});
