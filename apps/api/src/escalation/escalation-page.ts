import { escapeHtml } from '@app/common';
import { formatTimeZh } from '@app/delivery';
import { EscalationNoticeView, overdueZh, roundZh } from '@app/calls';
import { ESCALATION_RESPONSE_ZH } from '@app/config';
import { drillBanner, layout, tag } from '../pages/page-shell';

export type EscalationFlash = 'recorded' | 'already';

export function escalationFlash(r: unknown): EscalationFlash | null {
  return r === 'recorded' || r === 'already' ? r : null;
}

/** tel: links dial as written; keep digits and a leading +. */
const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/**
 * The 督办 page: which warning, the silent people grouped by unit (name, role, phone to tap, how long overdue) and
 * the three answers, kept apart from this person's own answer to the warning. Same shell as the ack page.
 */
export function renderEscalationPage(
  v: EscalationNoticeView,
  token: string,
  flash: EscalationFlash | null,
  now: Date,
): string {
  const w = v.warning;
  const live = w.state === 'tracking';
  const silent = v.units.flatMap((u) => u.people).filter((p) => !p.answered);
  const units = v.units
    .map(
      (u) =>
        `<section><h2 class="unit">${escapeHtml(u.unit)}</h2><ul>${u.people
          .map(
            (p) => `<li>
<strong>${escapeHtml(p.name)}</strong>（${escapeHtml(p.role)}）${p.phone ? `<a href="${escapeHtml(telHref(p.phone))}">${escapeHtml(p.phone)}</a>` : '无电话'}
<span class="muted">${p.answered ? '已应答' : escapeHtml(overdueZh(p.overdueSince, now))}</span></li>`,
          )
          .join('')}</ul></section>`,
    )
    .join('');
  const answers = v.answers.length
    ? `<section><p>督办处置记录：</p><ul>${v.answers.map((a) => `<li>${escapeHtml(formatTimeZh(a.at))} ${escapeHtml(ESCALATION_RESPONSE_ZH[a.response])}${a.names.length ? `：${escapeHtml(a.names.join('、'))}` : ''}${a.who ? `，派往：${escapeHtml(a.who)}` : ''}${a.eta ? `，预计到达：${escapeHtml(a.eta)}` : ''}${a.note ? `（${escapeHtml(a.note)}）` : ''}</li>`).join('')}</ul></section>`
    : '';
  const banner = flash
    ? `<section><strong>已记录</strong>${flash === 'already' ? '（此前已提交，本次未重复记录）' : '，谢谢。'}</section>`
    : '';
  const action = `/escalation/${escapeHtml(token)}`;
  const forms =
    live && silent.length > 0
      ? `<form method="post" action="${action}"><section><p>打开本页不算签收，请按下方按钮。</p>
<button name="response" value="received">已收到督办</button></section></form>
<form method="post" action="${action}"><section><p>已联系上（勾选）：</p>${silent.map((p) => `<label><input type="checkbox" name="callTaskIds" value="${escapeHtml(p.callTaskId)}"> ${escapeHtml(p.name)}</label><br>`).join('')}
<label>情况说明<textarea name="note" rows="2" maxlength="500"></textarea></label>
<button name="response" value="contacted" class="alt">已联系上</button></section></form>
<form method="post" action="${action}"><section><label>派往人员（必填）<input name="who" maxlength="200" required></label>
<label>预计到达（必填，如：20分钟内）<input name="eta" maxlength="100" required></label>
<button name="response" value="dispatched" class="warn">已派人前往</button></section></form>`
      : `<section>${live ? '所列人员均已应答，无需再督办。' : '该预警已更新或解除，督办已结束。'}</section>`;
  const deadline =
    v.deadlineAt && live
      ? `<p><strong>请于 ${escapeHtml(formatTimeZh(v.deadlineAt))} 前处置</strong>；逾期未处置将继续向上督办${v.top ? '，并由值班台逐一电话叫应' : ''}。</p>`
      : '';
  const body = `${drillBanner(w.isDrill)}<main>
${tag(`升级督办 · ${roundZh(v.round)}`, 'urgent')}<h1>${escapeHtml(w.headline)}</h1>
${banner}<section><p>${escapeHtml(v.personName)}，以下 ${silent.length} 人未在时限内应答，请督促其立即应答，必要时派人前往或电话叫应。</p>${deadline}</section>
${units}${answers}${forms}</main>`;
  return layout(`升级督办：${w.headline}`, body);
}
