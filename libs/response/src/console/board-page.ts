import { escapeHtml } from '@app/common';
import type { EscalationReason } from '@app/database';
import { Board, OPEN_ESCALATIONS_LIMIT } from '../board.service';
import { ESCALATION_REASON_ZH } from '../escalator';
import { MEASURE_ZH } from '../orders.service';
import { consolePage, NO_SCRIPT_REFRESH_SECONDS, ROLE_ZH } from './console-page';
import type { ConsoleCaller } from './console-sessions';

const COLOUR_BADGE: Record<string, string> = { red: '红', orange: '橙', yellow: '黄', blue: '蓝' };
const CALL_STATE_ZH: Record<string, string> = {
  pending: '待发送', sent: '已发送', acknowledged: '已应答', escalated: '已升级', unreachable: '无法联系', cancelled: '已取消', superseded: '已更新',
};
const ORDER_STATE_ZH: Record<string, string> = { ordered: '待签收', acknowledged: '已签收，待执行' };

const TZ = 'Asia/Shanghai';
const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });
const TIME_S = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const DAY = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, month: 'long', day: 'numeric' });

/** 14:05 today, 6月3日 14:05 on another day (Beijing time). */
export function clockZh(at: Date | string, now: Date): string {
  const d = new Date(at);
  return DAY.format(d) === DAY.format(now) ? TIME.format(d) : `${DAY.format(d)} ${TIME.format(d)}`;
}

/** 45 秒, 12 分钟, 2 小时 5 分钟. */
export function durationZh(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) {
    return `${s} 秒`;
  }
  const min = Math.floor(s / 60);
  if (min < 60) {
    return `${min} 分钟`;
  }
  return min % 60 ? `${Math.floor(min / 60)} 小时 ${min % 60} 分钟` : `${min / 60} 小时`;
}

const percent = (answered: number, calls: number) => (calls > 0 ? Math.round((answered / calls) * 100) : 0);
const band = (pct: number) => (pct < 50 ? 'low' : pct < 80 ? 'mid' : 'high');
const bar = (pct: number) => `<div class="bar"><i class="${band(pct)}" style="width:${Math.min(100, Math.max(0, pct))}%"></i></div>`;
/** Rows shown per list; the rest is counted, so a county-wide silence does not push everything else off the screen. */
export const LIST_ROWS = 50;

function list(items: string[], empty: string, rest = '项'): string {
  if (items.length === 0) {
    return `<p class="empty">${empty}</p>`;
  }
  const more = items.length > LIST_ROWS ? `<li class="muted">另有 ${items.length - LIST_ROWS} ${rest}未列出</li>` : '';
  return `<ul>${items.slice(0, LIST_ROWS).join('')}${more}</ul>`;
}

function section(id: string, title: string, count: string, body: string, alarm = false): string {
  return `<section id="${id}"${alarm ? ' class="alarm"' : ''}><h2>${title} <small>${count}</small></h2>${body}</section>`;
}

function tiles(b: Board): string {
  const calls = b.activeWarnings.reduce((n, w) => n + w.calls, 0);
  const answered = b.activeWarnings.reduce((n, w) => n + w.answered, 0);
  const planned = b.evacuations.reduce((n, e) => n + e.planned.persons, 0);
  const moved = b.evacuations.reduce((n, e) => n + e.moved.persons, 0);
  const silent = bySilentPerson(b.openEscalations).length;
  const escalations = b.openEscalations.length >= OPEN_ESCALATIONS_LIMIT ? `${silent}+` : String(silent);
  const tile = (label: string, value: string, alarm: boolean) => `<div class="tile${alarm ? ' alarm' : ''}"><b>${value}</b>${label}</div>`;
  return `<div class="tiles">${[
    tile('升级未应答（人）', escalations, silent > 0),
    tile('无应答单位', String(b.unitsWithoutAnswers.length), b.unitsWithoutAnswers.length > 0),
    tile(`已应答 ${answered}/${calls}`, calls ? `${percent(answered, calls)}%` : '—', calls > 0 && percent(answered, calls) < 80),
    tile('生效预警', String(b.activeWarnings.length), false),
    tile('已转移/应转移（人）', planned ? `${moved}/${planned}` : '—', false),
    tile('熔断待执行', String(b.ordersPendingExecution.length), b.ordersPendingExecution.length > 0),
  ].join('')}</div>`;
}

type OpenEscalation = Board['openEscalations'][number];

/** One line per silent person (oldest first): the escalation rows of one call, with everyone it went to. */
export function bySilentPerson(rows: OpenEscalation[]): Array<OpenEscalation & { to: Array<{ person: string; state: string | null }> }> {
  const people = new Map<string, OpenEscalation & { to: Array<{ person: string; state: string | null }> }>();
  for (const r of rows) {
    const line = people.get(r.fromTaskId) ?? { ...r, to: [] };
    people.set(r.fromTaskId, line);
    if (r.toPerson && !line.to.some((t) => t.person === r.toPerson)) {
      line.to.push({ person: r.toPerson, state: r.toState });
    }
  }
  return [...people.values()];
}

function escalations(b: Board): string {
  const headline = new Map(b.activeWarnings.map((w) => [w.id, w.headline]));
  const people = bySilentPerson(b.openEscalations);
  const items = people.map((e) => {
    const age = durationZh(e.ageSeconds);
    const cls = e.ageSeconds >= 600 ? 'age alarm' : e.ageSeconds >= 180 ? 'age warn' : 'age';
    const label = e.reason === 'no_ack' ? `已超时 ${age}` : `${age}前`;
    const what = ESCALATION_REASON_ZH[e.reason as EscalationReason] ?? e.reason;
    const to = e.to.map((t) => `${escapeHtml(t.person)}（${escapeHtml(CALL_STATE_ZH[t.state ?? ''] ?? t.state ?? '')}）`).join('、');
    return `<li><span class="${cls}">${label}</span><strong>${escapeHtml(e.fromPerson)}</strong> ${escapeHtml(what)}${to ? ` → ${to}` : ''}
<div class="muted">${escapeHtml(headline.get(e.warningId) ?? '')} · ${clockZh(e.at, b.at)} 升级</div></li>`;
  });
  const more = b.openEscalations.length >= OPEN_ESCALATIONS_LIMIT ? '（仅列最久的一部分）' : '';
  return section('escalations', '升级未应答（最久的在前）', `${items.length} 人${more}`, list(items, '暂无升级未应答。', '人'), items.length > 0);
}

function silentUnits(b: Board): string {
  const items = b.unitsWithoutAnswers.map(
    (u) => `<li class="row"><span><strong>${escapeHtml(u.unitName)}</strong> <span class="muted">${escapeHtml(u.unitCode)}</span></span><span class="late">0/${u.calls} 应答</span></li>`,
  );
  return section('silent-units', '无人应答的单位', `${items.length} 个`, list(items, '每个被叫应的单位都已有人应答。', '个单位'), items.length > 0);
}

function townRates(b: Board): string {
  const items = b.townAckRates.map((t) => {
    const pct = Math.round(t.rate * 100);
    return `<li><div class="row"><strong>${escapeHtml(t.townName)}</strong><span>${t.answered}/${t.calls} · ${pct}%</span></div>${bar(pct)}</li>`;
  });
  return section('town-rates', '各乡镇（街道）应答率', '最低的在前', list(items, '暂无需要应答的叫应。'));
}

function warnings(b: Board): string {
  const items = b.activeWarnings.map((w) => {
    const colour = w.colour && COLOUR_BADGE[w.colour] ? w.colour : '';
    const badge = `<span class="badge ${colour}">${colour ? COLOUR_BADGE[colour] : '—'}</span>`;
    const version = w.version > 1 ? ` · 第 ${w.version} 版` : '';
    return `<li>${badge}<strong>${escapeHtml(w.headline)}</strong>
<div class="muted">发布 ${clockZh(w.sent, b.at)}${version} · 应答 ${w.answered}/${w.calls}（${percent(w.answered, w.calls)}%）</div>${bar(percent(w.answered, w.calls))}</li>`;
  });
  return section('warnings', '生效预警', `${items.length} 条`, list(items, '辖区内暂无生效预警。'));
}

function evacuations(b: Board): string {
  const items = b.evacuations.map((e) => {
    const pct = percent(e.moved.persons, e.planned.persons);
    const special = e.planned.special ? ` · 特殊群体 ${e.moved.special}/${e.planned.special}` : '';
    const organiser = e.organiser ? ` · 组织：${escapeHtml(e.organiser)}` : '';
    return `<li><div class="row"><strong>${escapeHtml(e.zoneName)}</strong><span>${e.moved.persons}/${e.planned.persons} 人</span></div>${bar(pct)}
<div class="muted">${e.moved.households}/${e.planned.households} 户${special}${organiser}</div></li>`;
  });
  return section('evacuations', '转移进度', `${items.length} 处`, list(items, '暂无进行中的转移。'));
}

function orders(b: Board): string {
  const overdueBy = (o: Board['ordersPendingExecution'][number]) => (b.at.getTime() - new Date(o.executeDeadlineAt).getTime()) / 1000;
  const items = b.ordersPendingExecution.map((o) => {
    const overdue = overdueBy(o);
    const due = overdue > 0 ? `<span class="late">已逾期 ${durationZh(overdue)}</span>` : `时限 ${clockZh(o.executeDeadlineAt, b.at)}`;
    const level = o.escalationLevel > 0 ? ` · 已升级 ${o.escalationLevel} 级` : '';
    const measure = MEASURE_ZH[o.measure as keyof typeof MEASURE_ZH] ?? o.measure;
    return `<li><div class="row"><strong>${escapeHtml(o.unitName)}</strong>${due}</div>
<div class="muted">${escapeHtml(measure)} · ${escapeHtml(o.title)} · ${escapeHtml(ORDER_STATE_ZH[o.state] ?? o.state)}${level}</div></li>`;
  });
  return section('orders', '熔断指令待执行', `${items.length} 个单位`, list(items, '暂无待执行的熔断指令。'), b.ordersPendingExecution.some((o) => overdueBy(o) > 0));
}

/** The part that refreshes: 未应答 first (escalations, silent units), then rates, warnings, evacuation, orders. */
export function renderBoardLive(b: Board): string {
  return `<p class="stamp muted">更新于 ${TIME_S.format(b.at)}</p>${tiles(b)}
<div class="grid">${escalations(b)}${silentUnits(b)}${townRates(b)}${warnings(b)}${evacuations(b)}${orders(b)}</div>`;
}

/** The whole page: header with region, live status and sign-out; the board; the polling script and a no-script refresh. */
export function renderBoardPage(b: Board, caller: Pick<ConsoleCaller, 'name' | 'role'>): string {
  const region = b.regionName ?? b.regionCode;
  return consolePage(
    `指挥看板 · ${region}`,
    `<header><h1>叫应指挥看板 · ${escapeHtml(region)}</h1><span id="live" class="live">每 ${NO_SCRIPT_REFRESH_SECONDS} 秒刷新</span>
<form method="post" action="/console/sign-out"><span>${escapeHtml(ROLE_ZH[caller.role] ?? caller.role)} ${escapeHtml(caller.name)}</span><button type="submit">退出</button></form></header>
<main id="board">${renderBoardLive(b)}</main>`,
    true,
  );
}
