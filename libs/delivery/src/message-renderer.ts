import type { CallReason, VersionChange } from '@app/database';
import { changeTagZh, taggedHeadline } from './content/version-change';
import { escapeHtml } from '@app/common';
import { isLevelName, LEVEL_ZH, reasonText } from '@app/config';

export interface MessageInput {
  personName: string;
  headline: string;
  /** What this version changed; its tag replaces the colour tag in the subject and leads the text. */
  change?: VersionChange | null;
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

/** The HTML part of every email we send (a call's, a notice's): zh-CN, no style, no scripts. */
export function emailHtml(body: string): string {
  return `<!doctype html><html lang="zh-CN"><body>${body}</body></html>`;
}

export function formatTimeZh(d: Date): string {
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** The email of one call: what, why this person, by when, and the link to answer. */
export function renderCallEmail(m: MessageInput): RenderedEmail {
  const drill = m.isDrill ? '【演练】' : '';
  const change = m.change ?? null;
  const colour = change
    ? changeTagZh(change, m.colour)
    : m.colour
      ? `【${isLevelName(m.colour) ? LEVEL_ZH[m.colour] : m.colour}预警】`
      : '';
  const headline = change ? taggedHeadline(m.headline, change, m.colour) : m.headline;
  const subject = `${drill}${headline.startsWith(colour) ? '' : colour}${headline}${m.requiresAck ? ' — 请立即确认' : ''}`;
  const reasons = m.reasons.map(reasonText);
  const deadline = m.requiresAck && m.deadlineAt ? `请于 ${formatTimeZh(m.deadlineAt)} 前点击链接确认收到：` : '详情：';
  const text = [
    `${m.personName}同志：`,
    `${drill}${headline}`,
    m.areaDesc ? `影响范围：${m.areaDesc}` : '',
    m.instruction ? `防御指引：${m.instruction}` : '',
    reasons.length ? `您被叫应的原因：\n- ${reasons.join('\n- ')}` : '',
    `${deadline}\n${m.ackUrl}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const html = emailHtml(`
<p>${escapeHtml(m.personName)}同志：</p>
<p><strong>${escapeHtml(drill + headline)}</strong></p>
${m.areaDesc ? `<p>影响范围：${escapeHtml(m.areaDesc)}</p>` : ''}
${m.instruction ? `<p>防御指引：${escapeHtml(m.instruction)}</p>` : ''}
${reasons.length ? `<p>您被叫应的原因：</p><ul>${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
<p>${escapeHtml(deadline)}<br><a href="${escapeHtml(m.ackUrl)}">${escapeHtml(m.ackUrl)}</a></p>
`);
  return { subject, text, html };
}
