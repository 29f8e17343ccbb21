import { escapeHtml } from '@app/common';
import type { LevelName } from '@app/config';

/**
 * The server-rendered pages a person opens from a message (ack, 熔断 order, 督办, and the error and message pages):
 * one shell and one stylesheet. Small, inline, no scripts: they load fast on a cheap phone over a weak network.
 */
const STYLE = `body{font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f4f4;color:#222}
main{max-width:32rem;margin:0 auto;padding:1rem}h1{font-size:1.25rem;margin:.5rem 0}h2.unit{font-size:1.05rem;margin:.25rem 0}
.tag{display:inline-block;color:#fff;padding:.1rem .5rem;border-radius:.25rem;background:#455a64}
.tag.red{background:#c62828}.tag.orange{background:#ef6c00}.tag.yellow{background:#f9a825}.tag.blue{background:#1565c0}
.tag.lifted{background:#2e7d32}.tag.urgent{background:#b71c1c}
section{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}button{width:100%;font-size:1.1rem;padding:.8rem;margin:.35rem 0;border:0;border-radius:.4rem;color:#fff;background:#2e7d32}
button.alt{background:#455a64}button.warn{background:#b71c1c}input,textarea{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin:.25rem 0}
input[type=checkbox]{width:auto}.muted{color:#666;font-size:.9rem}.drill{background:#6a1b9a;color:#fff;text-align:center;padding:.25rem}.late{color:#b71c1c}`;

/** The colour of a page's tag: a warning's level, a lift (green), an order or 督办 (dark red), or none (grey). */
export type TagTone = LevelName | 'lifted' | 'urgent' | 'plain';

/** The page: zh-CN, inline style, no scripts. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The 【演练】 band on top of every page about an exercise. */
export function drillBanner(drill: boolean): string {
  return drill ? '<div class="drill">【演练】本条为演练信息</div>' : '';
}

/** The coloured label above a page's heading (红色预警, 已解除, 熔断指令 · …). */
export function tag(label: string, tone: TagTone): string {
  return `<span class="tag${tone === 'plain' ? '' : ` ${tone}`}">${escapeHtml(label)}</span>`;
}

/** A message page; error pages add the duty desk's number as a tel: link (DUTY_DESK_PHONE). */
export function renderMessagePage(title: string, message: string, dutyDeskPhone: string | null = null): string {
  const phone = dutyDeskPhone
    ? `<section><p>值班电话：<a href="tel:${escapeHtml(dutyDeskPhone.replace(/[^0-9+]/g, ''))}">${escapeHtml(dutyDeskPhone)}</a></p></section>`
    : '';
  return layout(
    title,
    `<main><h1>${escapeHtml(title)}</h1><section><p>${escapeHtml(message)}</p></section>${phone}</main>`,
  );
}
