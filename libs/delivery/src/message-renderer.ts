import type { CallReason } from '@app/database';
import { escapeHtml } from '@app/common';

export interface MessageInput {
  personName: string;
  headline: string;
  event: string;
  colour: string | null;
  instruction: string;
  areaDesc: string;
  isDrill: boolean;
  deadlineAt: Date | null;
  requiresAck: boolean;
  reasons: CallReason[];
  ackUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const COLOUR_ZH: Record<string, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };

const ROLE_ZH: Record<string, string> = {
  admin: '行政责任人',
  technical: '技术责任人',
  patrol: '巡查责任人',
  monitor: '监测责任人',
  grid_worker: '网格员',
  party_secretary: '党组织书记',
  duty_officer: '值班员',
  commander: '指挥长',
  county_town: '包镇领导',
  town_village: '包村领导',
  village_group: '包组干部',
  one_to_one_caller: '一对一叫应责任人',
};

/** "山洪危险区 汀溪村3组 · 行政责任人" — one line per reason, in Chinese. */
export function describeReason(r: CallReason): string {
  if (r.kind === 'escalation') {
    return `升级叫应：${r.note ?? ''}`;
  }
  const role = r.roleSlot ? (ROLE_ZH[r.roleSlot] ?? r.roleSlot) : '';
  return [r.targetName, role].filter(Boolean).join(' · ');
}

export function formatTimeZh(d: Date): string {
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** The email of one call: what, why this person, by when, and the link to answer. */
export function renderCallEmail(m: MessageInput): RenderedEmail {
  const drill = m.isDrill ? '【演练】' : '';
  const colour = m.colour ? `【${COLOUR_ZH[m.colour] ?? m.colour}预警】` : '';
  const subject = `${drill}${colour}${m.headline}${m.requiresAck ? ' — 请立即确认' : ''}`;
  const reasons = m.reasons.map(describeReason);
  const deadline = m.requiresAck && m.deadlineAt ? `请于 ${formatTimeZh(m.deadlineAt)} 前点击链接确认收到：` : '详情：';
  const text = [
    `${m.personName}同志：`,
    `${drill}${m.headline}`,
    m.areaDesc ? `影响范围：${m.areaDesc}` : '',
    m.instruction ? `防御指引：${m.instruction}` : '',
    reasons.length ? `您被叫应的原因：\n- ${reasons.join('\n- ')}` : '',
    `${deadline}\n${m.ackUrl}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const html = `<!doctype html><html lang="zh-CN"><body>
<p>${escapeHtml(m.personName)}同志：</p>
<p><strong>${escapeHtml(drill + m.headline)}</strong></p>
${m.areaDesc ? `<p>影响范围：${escapeHtml(m.areaDesc)}</p>` : ''}
${m.instruction ? `<p>防御指引：${escapeHtml(m.instruction)}</p>` : ''}
${reasons.length ? `<p>您被叫应的原因：</p><ul>${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
<p>${escapeHtml(deadline)}<br><a href="${escapeHtml(m.ackUrl)}">${escapeHtml(m.ackUrl)}</a></p>
</body></html>`;
  return { subject, text, html };
}
