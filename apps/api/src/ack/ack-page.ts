import { roundZh } from '@app/calls';
import { type AckResult, type CallView, type ProgressEntry, type ResidentStatus } from '@app/response';
import { ANSWER_ZH, isLevelName, LEVEL_ZH, reasonText } from '@app/config';
import { changeTagZh, formatTimeZh } from '@app/delivery';
import { escapeHtml } from '@app/common';
import { isWithdrawn } from '@app/database';
import { drillBanner, layout, tag } from '../pages/page-shell';

/** 已到岗 and 已组织转移 (with this report's head count) after the first answer, while the warning is tracked. */
function renderProgressForm(view: CallView, action: string): string {
  const onPost = view.acknowledgement?.response === 'on_post' || view.progress.some((p) => p.step === 'on_post');
  const arrived = onPost
    ? ''
    : `<form method="post" action="${action}"><button name="response" value="on_post" class="alt">已到岗</button></form>`;
  return `<section><p>上报进展：</p>${arrived}<form method="post" action="${action}">
<label>本次已转移人数 <input name="headCount" type="number" min="1" inputmode="numeric" required></label>
<button name="response" value="evacuating" class="alt">已组织转移</button></form></section>`;
}

function renderProgress(entries: ProgressEntry[]): string {
  if (entries.length === 0) {
    return '';
  }
  const items = entries.map((p) => {
    const what =
      p.step === 'on_post'
        ? '已到岗'
        : `已组织转移 ${p.headCount ?? 0} 人${p.inEvacuationReports ? '（已计入转移台账）' : ''}`;
    return `<li>${escapeHtml(formatTimeZh(p.at))} ${escapeHtml(what)}</li>`;
  });
  return `<section><p>已上报的进展：</p><ul>${items.join('')}</ul></section>`;
}

/** A lift (解除) notice's page: says 已解除, shows the lift, and takes 已收到 only. */
function renderLiftPage(view: CallView, token: string): string {
  const w = view.warning;
  const done = view.acknowledgement
    ? `<section><strong>您已于 ${escapeHtml(formatTimeZh(view.acknowledgement.at))} 确认收到解除通知。</strong></section>`
    : `<form method="post" action="/ack/${escapeHtml(token)}"><section><button name="response" value="received">已收到</button></section></form>`;
  const body = `${drillBanner(w.isDrill)}<main>
${tag('已解除', 'lifted')}<h1>${escapeHtml(w.headline)}</h1>
<section><p><strong>该预警已解除。</strong>${w.areaDesc ? `解除范围：${escapeHtml(w.areaDesc)}。` : ''}</p>
${w.instruction ? `<p>${escapeHtml(w.instruction)}</p>` : ''}${w.description ? `<p class="muted">${escapeHtml(w.description)}</p>` : ''}
<p class="muted">解除时间：${escapeHtml(formatTimeZh(w.sent))}</p></section>
<section><p>${escapeHtml(view.personName)}，此通知无需其他操作，请按预案有序恢复；转移群众须经批准后方可返回。</p></section>${done}</main>`;
  return layout(`已解除：${w.headline}`, body);
}

function renderDeadline(view: CallView): string {
  if (view.overdueSince) {
    const minutes = Math.max(1, Math.round((view.now.getTime() - view.overdueSince.getTime()) / 60_000));
    return `<p class="late"><strong>已超时：确认时限为 ${escapeHtml(formatTimeZh(view.overdueSince))}，已超过 ${minutes} 分钟。</strong>请立即确认，超时确认记为迟报。</p>`;
  }
  if (!view.deadlineAt || view.acknowledgement) {
    return '';
  }
  return `<p><strong>请于 ${escapeHtml(formatTimeZh(view.deadlineAt))} 前确认。</strong>打开本页不算确认，请按下方按钮。</p>`;
}

/**
 * What the page says on top right after an answer (redirect-after-post: the POST answers 303 back to the page):
 * the answer recorded (`kept` = 无法履职 recorded but nobody to pass it on to), already given, or progress recorded.
 */
export type AckFlash = 'recorded' | 'kept' | 'already' | 'progress';

export function ackFlash(r: unknown): AckFlash | null {
  return r === 'recorded' || r === 'kept' || r === 'already' || r === 'progress' ? r : null;
}

/** The flash an answer's result redirects to. */
export function flashOf(result: AckResult): AckFlash {
  if (result.progress) {
    return 'progress';
  }
  if (result.alreadyAcknowledged) {
    return 'already';
  }
  return result.response === 'cannot_comply' && !result.escalated ? 'kept' : 'recorded';
}

function renderFlash(view: CallView, flash: AckFlash | null): string {
  const ack = view.acknowledgement;
  if (!flash || !ack) {
    return '';
  }
  if (flash === 'progress') {
    return '<section><h2>进展已记录</h2><p>谢谢，请继续按预案履职。</p></section>';
  }
  const title = flash === 'already' ? '此前已确认' : '确认成功';
  const extra =
    ack.response !== 'cannot_comply'
      ? '谢谢，请按预案履职。'
      : flash === 'kept'
        ? '已记录，值班员会在看板上看到并处理。'
        : '已通知您的 B 角及上级。';
  return `<section><h2>${title}</h2><p>${extra}</p></section>`;
}

/**
 * The page behind the link: the warning, why this person is called, the deadline, and the answer buttons; once
 * answered, the answer as recorded (so going back and reloading shows it, whatever the browser's history does).
 */
export function renderAckPage(
  view: CallView,
  token: string,
  residents: ResidentStatus[] = [],
  flash: AckFlash | null = null,
  escalations: EscalationLink[] = [],
): string {
  const w = view.warning;
  if (w.isLift) {
    return renderLiftPage(view, token);
  }
  const [colourLabel, tone] = isLevelName(w.colour)
    ? [`${LEVEL_ZH[w.colour]}预警`, w.colour]
    : ['预警信息', 'plain' as const];
  // An update says what changed and the level now (降级为橙色预警), never the old colour alone.
  const label = w.change ? changeTagZh(w.change, w.colour).replace(/[【】]/g, '') : colourLabel;
  const action = `/ack/${escapeHtml(token)}`;
  const ack = view.acknowledgement;
  const answered = ack
    ? `<section><strong>您已于 ${escapeHtml(formatTimeZh(ack.at))} 确认：${escapeHtml(ANSWER_ZH[ack.response])}${ack.headCount ? ` ${ack.headCount} 人` : ''}</strong>${ack.late ? '（已超时，记为迟报）' : ''}</section>${renderProgress(view.progress)}`
    : '';
  const closed = isWithdrawn(view.state);
  const tracking = w.state === 'tracking';
  const form =
    ack || closed
      ? closed
        ? '<section>此预警已更新或解除，无需再确认。</section>'
        : tracking && ack?.response !== 'cannot_comply'
          ? renderProgressForm(view, action)
          : ''
      : `<form method="post" action="${action}"><section>
<button name="response" value="received">已收到</button>
<button name="response" value="on_post" class="alt">已到岗</button></section>
<section><label>已组织转移人数 <input name="headCount" type="number" min="0" inputmode="numeric"></label>
<button name="response" value="evacuating" class="alt">已组织转移</button></section>
<section><label>无法履职原因 <input name="note" maxlength="200"></label>
<button name="response" value="cannot_comply" class="warn">无法履职（转交 B 角）</button></section></form>`;
  const oneToOne = closed ? '' : renderResidents(residents, token);
  const body = `${drillBanner(w.isDrill)}<main>
${renderFlash(view, flash)}${tag(label, tone)}<h1>${escapeHtml(w.headline)}</h1>
<section>${w.areaDesc ? `<p>影响范围：${escapeHtml(w.areaDesc)}</p>` : ''}${w.instruction ? `<p>防御指引：${escapeHtml(w.instruction)}</p>` : ''}
<p class="muted">${escapeHtml(w.description)}</p><p class="muted">发布时间：${escapeHtml(formatTimeZh(w.sent))}</p></section>
<section><p>${escapeHtml(view.personName)}，您被叫应的原因：</p><ul>${view.reasons.map((r) => `<li>${escapeHtml(reasonText(r))}</li>`).join('')}</ul>
${renderDeadline(view)}</section>
${renderEscalationLinks(escalations)}${answered}${oneToOne}${form}</main>`;
  return layout(`${label}：${w.headline}`, body);
}

/** 一对一叫应: one row per vulnerable resident, with 已当面告知 and 已安排转移 buttons until each is done. */
function renderResidents(residents: ResidentStatus[], token: string): string {
  if (residents.length === 0) {
    return '';
  }
  const rows = residents.map((r) => {
    const done = (at: Date | null, label: string) =>
      at ? `<span class="muted">${label} ${escapeHtml(formatTimeZh(at))}</span> ` : '';
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

export interface EscalationLink {
  round: number;
  silent: number;
  url: string;
}

/** The 督办 this person received for the warning: each opens the list of the silent with their roles and phones. */
function renderEscalationLinks(links: EscalationLink[]): string {
  if (links.length === 0) {
    return '';
  }
  const items = links.map(
    (l) =>
      `<li><a href="${escapeHtml(l.url)}">${roundZh(l.round)}（升级督办）：${l.silent}人未应答（查看名单、岗位与电话）</a></li>`,
  );
  return `<section><p>您收到的升级督办：</p><ul>${items.join('')}</ul></section>`;
}
