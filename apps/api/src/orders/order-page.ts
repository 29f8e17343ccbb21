import { escapeHtml } from '@app/common';
import { CALLER_ROLE_ZH } from '@app/config';
import { formatTimeZh } from '@app/delivery';
import { MEASURE_ZH, OrderTargetView } from '@app/response';
import { drillBanner, layout, tag } from '../pages/page-shell';
import { ORDER_NOTE_MAX } from './order-form.dto';

/** What the redirect after a press says: a new record, or a repeat that recorded nothing. */
export type OrderFlash = 'recorded' | 'already';

export function orderFlash(r: unknown): OrderFlash | null {
  return r === 'recorded' || r === 'already' ? r : null;
}

const STATE_ZH: Record<OrderTargetView['state'], string> = {
  ordered: '待签收',
  acknowledged: '已签收，待执行',
  executed: '已执行',
};
const LATE = '（已超过时限，记为迟报）';

/**
 * The page behind a 熔断 order link: the order, its two deadlines and issuer, what this unit has recorded, and the
 * 已收到指令 / 已执行 forms while the order stands. Same shell and size as the ack page; no scripts.
 */
export function renderOrderPage(v: OrderTargetView, token: string, flash: OrderFlash | null): string {
  const at = (d: Date) => escapeHtml(formatTimeZh(d));
  const measure = MEASURE_ZH[v.measure] ?? v.measure;
  const lifted = v.orderState === 'lifted';
  const issuer = v.issuer.role ? `${CALLER_ROLE_ZH[v.issuer.role]}（${v.issuer.name}）` : v.issuer.name;
  const facts = `<section><p>执行单位：${escapeHtml(v.unitName)}<br>责任人：${escapeHtml(v.personName)}<br>措施：${escapeHtml(measure)}</p>
${v.instruction ? `<p>指令要求：${escapeHtml(v.instruction)}</p>` : ''}<p>确认时限：${at(v.ackDeadlineAt)} 前<br>执行时限：${at(v.executeDeadlineAt)} 前<br>
下达：${escapeHtml(issuer)}，${at(v.issuedAt)}</p><p>状态：<strong>${lifted ? '已解除' : STATE_ZH[v.state]}</strong></p></section>`;
  const banner = flash
    ? `<section><strong>已记录</strong>${flash === 'already' ? '（此前已提交，本次未重复记录）' : '，谢谢。'}</section>`
    : '';
  const photo =
    v.evidenceUrl && /^https?:\/\//i.test(v.evidenceUrl)
      ? `<br>现场照片：<a href="${escapeHtml(v.evidenceUrl)}" rel="noreferrer">${escapeHtml(v.evidenceUrl)}</a>`
      : '';
  const recorded = [
    v.acknowledgedAt ? `<p>已于 ${at(v.acknowledgedAt)} 确认收到${v.acknowledgedLate ? LATE : ''}</p>` : '',
    v.executedAt
      ? `<p>已于 ${at(v.executedAt)} 上报执行${v.executedLate ? LATE : ''}：${escapeHtml(v.evidenceNote ?? '')}${photo}</p>`
      : '',
  ].join('');
  const history = recorded ? `<section>${recorded}</section>` : '';
  const body = `${drillBanner(v.drill)}<main>
${tag(`熔断指令 · ${measure}`, 'urgent')}<h1>${escapeHtml(v.title)}</h1>
${banner}${facts}${history}${lifted ? `<section><strong>此指令已于 ${at(v.liftedAt ?? v.issuedAt)} 解除</strong>，无需再确认或上报，请有序恢复。</section>` : forms(v, token)}</main>`;
  return layout(`熔断指令：${v.title}`, body);
}

/** 已收到指令 until signed for; 已执行 (note required, photo link optional) until executed. */
function forms(v: OrderTargetView, token: string): string {
  if (v.state === 'executed') {
    return '';
  }
  const action = `/order/${escapeHtml(token)}`;
  const acknowledge =
    v.state === 'ordered'
      ? `<form method="post" action="${action}"><section><p>打开本页不算签收，请按下方按钮。</p>
<button name="action" value="acknowledge">已收到指令</button></section></form>`
      : '';
  return `${acknowledge}<form method="post" action="${action}"><section><p>执行完毕后上报：</p>
<label>执行情况（必填，如：已封闭XX路段）<textarea name="note" rows="3" maxlength="${ORDER_NOTE_MAX}" required></textarea></label>
<label>现场照片链接（选填）<input name="photoUrl" type="url" maxlength="${ORDER_NOTE_MAX}" placeholder="https://"></label>
<button name="action" value="execute">已执行</button></section></form>`;
}
