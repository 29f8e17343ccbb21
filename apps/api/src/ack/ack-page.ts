import type { AckResult, CallView, ResidentStatus } from '@app/response';
import { describeReason, formatTimeZh } from '@app/delivery';
import { escapeHtml } from '@app/common';

const COLOUR: Record<string, [string, string]> = {
  red: ['红色预警', '#c62828'],
  orange: ['橙色预警', '#ef6c00'],
  yellow: ['黄色预警', '#f9a825'],
  blue: ['蓝色预警', '#1565c0'],
};

// Small, server-rendered, no scripts: loads fast on a cheap phone over a weak network.
const STYLE = `body{font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f4f4;color:#222}
main{max-width:32rem;margin:0 auto;padding:1rem}h1{font-size:1.25rem;margin:.5rem 0}.tag{display:inline-block;color:#fff;padding:.1rem .5rem;border-radius:.25rem}
section{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}button{width:100%;font-size:1.1rem;padding:.8rem;margin:.35rem 0;border:0;border-radius:.4rem;color:#fff;background:#2e7d32}
button.alt{background:#455a64}button.warn{background:#b71c1c}input,textarea{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin:.25rem 0}
.muted{color:#666;font-size:.9rem}.drill{background:#6a1b9a;color:#fff;text-align:center;padding:.25rem}`;

/** The public pages' shell (ack and order links): zh-CN, inline style, no scripts. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function renderMessagePage(title: string, message: string): string {
  return layout(title, `<main><h1>${escapeHtml(title)}</h1><section><p>${escapeHtml(message)}</p></section></main>`);
}

/** The page behind the link: the warning, why this person is called, the deadline, and the answer buttons. */
export function renderAckPage(view: CallView, token: string, residents: ResidentStatus[] = []): string {
  const w = view.warning;
  const [label, colour] = COLOUR[w.colour ?? ''] ?? ['预警信息', '#455a64'];
  const action = `/ack/${escapeHtml(token)}`;
  const answered = view.acknowledgement
    ? `<section><strong>您已于 ${escapeHtml(formatTimeZh(view.acknowledgement.at))} 确认：${escapeHtml(RESPONSE_ZH[view.acknowledgement.response])}</strong>${view.acknowledgement.late ? '（已超时，记为迟报）' : ''}</section>`
    : '';
  const closed = view.state === 'cancelled' || view.state === 'superseded';
  const form =
    view.acknowledgement || closed
      ? closed
        ? '<section>此预警已更新或解除，无需再确认。</section>'
        : ''
      : `<form method="post" action="${action}"><section>
<button name="response" value="received">已收到</button>
<button name="response" value="on_post" class="alt">已到岗</button></section>
<section><label>已组织转移人数 <input name="headCount" type="number" min="0" inputmode="numeric"></label>
<button name="response" value="evacuating" class="alt">已组织转移</button></section>
<section><label>无法履职原因 <input name="note" maxlength="200"></label>
<button name="response" value="cannot_comply" class="warn">无法履职（转交 B 角）</button></section></form>`;
  const oneToOne = closed ? '' : renderResidents(residents, token);
  const body = `${w.isDrill ? '<div class="drill">【演练】本条为演练信息</div>' : ''}<main>
<span class="tag" style="background:${colour}">${escapeHtml(label)}</span><h1>${escapeHtml(w.headline)}</h1>
<section>${w.areaDesc ? `<p>影响范围：${escapeHtml(w.areaDesc)}</p>` : ''}${w.instruction ? `<p>防御指引：${escapeHtml(w.instruction)}</p>` : ''}
<p class="muted">${escapeHtml(w.description)}</p><p class="muted">发布时间：${escapeHtml(formatTimeZh(w.sent))}</p></section>
<section><p>${escapeHtml(view.personName)}，您被叫应的原因：</p><ul>${view.reasons.map((r) => `<li>${escapeHtml(describeReason(r))}</li>`).join('')}</ul>
${view.deadlineAt && !view.acknowledgement ? `<p><strong>请于 ${escapeHtml(formatTimeZh(view.deadlineAt))} 前确认。</strong>打开本页不算确认，请按下方按钮。</p>` : ''}</section>
${answered}${oneToOne}${form}</main>`;
  return layout(`${label}：${w.headline}`, body);
}

/** 一对一叫应: one row per vulnerable resident, with 已当面告知 and 已安排转移 buttons until each is done. */
function renderResidents(residents: ResidentStatus[], token: string): string {
  if (residents.length === 0) {
    return '';
  }
  const rows = residents.map((r) => {
    const done = (at: Date | null, label: string) => (at ? `<span class="muted">${label} ${escapeHtml(formatTimeZh(at))}</span> ` : '');
    const button = (step: string, label: string, at: Date | null) =>
      at ? '' : `<button name="step" value="${step}" class="alt">${label}</button>`;
    return `<form method="post" action="/ack/${escapeHtml(token)}/residents/${escapeHtml(r.id)}"><p><strong>${escapeHtml(r.label)}</strong><br>
${done(r.informedAt, '已当面告知')}${done(r.evacuationArrangedAt, '已安排转移')}</p>
${button('informed', '已当面告知', r.informedAt)}${button('evacuation_arranged', '已安排转移', r.evacuationArrangedAt)}</form>`;
  });
  return `<section><p>一对一叫应名单（逐人确认）：</p>${rows.join('')}</section>`;
}

export function renderResidentsDone(residents: ResidentStatus[], token: string): string {
  const informed = residents.filter((r) => r.informedAt).length;
  const moved = residents.filter((r) => r.evacuationArrangedAt).length;
  return layout(
    '已记录',
    `<main><h1>已记录</h1><section><p>一对一叫应：已告知 ${informed}/${residents.length} 人，已安排转移 ${moved}/${residents.length} 人。</p>
<p><a href="/ack/${escapeHtml(token)}">返回</a></p></section></main>`,
  );
}

const RESPONSE_ZH: Record<string, string> = {
  received: '已收到',
  on_post: '已到岗',
  evacuating: '已组织转移',
  cannot_comply: '无法履职',
};

export function renderAckDone(result: AckResult): string {
  const what = RESPONSE_ZH[result.response] ?? result.response;
  const title = result.alreadyAcknowledged ? '此前已确认' : '确认成功';
  const late = result.late ? '（已超过时限，记为迟报）' : '';
  const extra = result.response === 'cannot_comply' ? '已通知您的 B 角及上级。' : '谢谢，请按预案履职。';
  return renderMessagePage(title, `${title}：${what}，时间 ${formatTimeZh(result.acknowledgedAt)}${late}。${extra}`);
}
