import { createHash } from 'node:crypto';
import { DomainError, escapeHtml, ForbiddenError, ValidationError } from '@app/common';
import type { Role } from '@app/database';
import { CONSOLE_SESSION_HOURS, SignInReason } from './console-sessions';

/** Seconds between live updates (script) and between page reloads without scripts. */
export const LIVE_POLL_SECONDS = 5;
export const NO_SCRIPT_REFRESH_SECONDS = 10;
export const LIVE_PATH = '/console/board/live';

export const ROLE_ZH: Record<Role, string> = { ingest: '数据接入', duty_officer: '值班员', commander: '指挥长', admin: '管理员' };

// Inline only (no CDN, no web fonts): the system's Chinese fonts, readable on a phone and on the command-centre wall.
const STYLE = `:root{--red:#c62828;--orange:#ef6c00;--yellow:#f9a825;--blue:#1565c0;--ok:#2e7d32;--ink:#1f2328;--muted:#5f6b76}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;background:#eef1f4;color:var(--ink)}
header{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center;justify-content:space-between;padding:.5rem 1rem;background:#17212b;color:#fff}
header h1{font-size:1.1rem;margin:0}header form{margin:0;display:flex;gap:.5rem;align-items:center;font-size:.9rem}
header button{background:none;color:#fff;border:1px solid #8a96a3;border-radius:.3rem;padding:.15rem .6rem;font-size:.9rem}
.live{font-size:.85rem;color:#cfd8dc}.live.ok::before{content:"● ";color:#66bb6a}.live.bad{color:#ffab91}
main{max-width:90rem;margin:0 auto;padding:.75rem}.narrow{max-width:28rem;padding-top:2rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.5rem;margin-bottom:.75rem}
.tile{background:#fff;border-radius:.5rem;padding:.4rem .75rem;border-left:.3rem solid #b0bec5}.tile b{display:block;font-size:1.6rem;line-height:1.25}
.tile.alarm{border-color:var(--red)}.tile.alarm b{color:var(--red)}
.grid{display:grid;gap:.75rem}@media(min-width:60rem){.grid{grid-template-columns:1fr 1fr}}
section{background:#fff;border-radius:.5rem;padding:.75rem 1rem;border-left:.3rem solid transparent}section.alarm{border-left-color:var(--red)}
h2{font-size:1.05rem;margin:0 0 .4rem}h2 small{font-weight:normal;color:var(--muted)}
ul{list-style:none;margin:0;padding:0}li{padding:.45rem 0;border-top:1px solid #eceff1}li:first-child{border-top:0}
.muted,.empty{color:var(--muted);font-size:.88rem}.stamp{margin:0 0 .5rem}.late{color:var(--red);font-weight:600}
.age{display:inline-block;padding:0 .45rem;border-radius:.3rem;background:#546e7a;color:#fff;font-weight:600;margin-right:.35rem}
.age.warn{background:var(--orange)}.age.alarm{background:var(--red)}
.badge{display:inline-block;min-width:1.6rem;text-align:center;border-radius:.3rem;color:#fff;font-weight:700;margin-right:.35rem;background:#78909c}
.badge.red{background:var(--red)}.badge.orange{background:var(--orange)}.badge.yellow{background:var(--yellow);color:#222}.badge.blue{background:var(--blue)}
.row{display:flex;justify-content:space-between;gap:.5rem}.bar{height:.6rem;background:#eceff1;border-radius:.3rem;overflow:hidden;margin-top:.2rem}
.bar i{display:block;height:100%;background:var(--ok)}.bar i.low{background:var(--red)}.bar i.mid{background:var(--orange)}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}input{width:100%;font-size:1rem;padding:.6rem;border:1px solid #b0bec5;border-radius:.35rem}
button.primary{width:100%;margin-top:.75rem;font-size:1.05rem;padding:.7rem;border:0;border-radius:.4rem;background:#17212b;color:#fff}
.error,.notice{padding:.5rem .75rem;border-radius:.35rem}.error{background:#ffebee;color:#b71c1c}.notice{background:#e3f2fd;color:#0d47a1}`;

// Polls the board fragment and swaps it in; a lost session reloads the page (which leads to the sign-in).
const LIVE_SCRIPT = `(function(){var b=document.getElementById('board'),s=document.getElementById('live'),busy=false;
function say(t,c){s.textContent=t;s.className='live '+c;}
function tick(){if(busy||document.hidden){return;}busy=true;
fetch('${LIVE_PATH}',{credentials:'same-origin',cache:'no-store'}).then(function(r){
if(r.status===401||r.status===403){location.reload();return;}if(!r.ok){throw new Error(String(r.status));}
return r.text().then(function(h){b.innerHTML=h;say('实时 · 每 ${LIVE_POLL_SECONDS} 秒更新','ok');});
}).catch(function(){say('连接中断，正在重试…','bad');}).then(function(){busy=false;});}
say('实时 · 每 ${LIVE_POLL_SECONDS} 秒更新','ok');setInterval(tick,${LIVE_POLL_SECONDS * 1000});document.addEventListener('visibilitychange',tick);})();`;

/** Only our own inline script runs (by hash), nothing is loaded from elsewhere, no framing. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(LIVE_SCRIPT).digest('base64')}'`,
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers of every console page: never cached, no referrer, no sniffing, the CSP above. */
export const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CONSOLE_CSP,
};

export function consolePage(title: string, body: string, live = false): string {
  const refresh = live ? `<noscript><meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}"></noscript>` : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}${live ? `<script>${LIVE_SCRIPT}</script>` : ''}</body></html>`;
}

const NOTICES: Record<SignInReason, string> = {
  expired: `登录已超过 ${CONSOLE_SESSION_HOURS} 小时，请重新登录。`,
  invalid: '登录凭证无效，请重新登录。',
  revoked: '此密钥已吊销或已更换，请用新的密钥重新登录。',
  signed_out: '您已退出登录。',
};

export function isSignInReason(r: unknown): r is SignInReason {
  return typeof r === 'string' && Object.hasOwn(NOTICES, r);
}

/** The sign-in form; `reason` (from ?r=) explains why the browser came back here, `error` why the last try failed. */
export function renderSignInPage(o: { reason?: SignInReason; error?: string } = {}): string {
  const notice = o.reason ? `<p class="notice">${escapeHtml(NOTICES[o.reason])}</p>` : '';
  const error = o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : '';
  return consolePage(
    '登录 · 叫应指挥看板',
    `<main class="narrow"><section><h1>叫应指挥看板</h1>${notice}${error}
<form method="post" action="/console/sign-in"><label for="key">API 密钥</label>
<input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required autofocus>
<button class="primary" type="submit">登录</button></form>
<p class="muted">粘贴指挥长或值班员的 API 密钥。服务器核对后只在浏览器保存 ${CONSOLE_SESSION_HOURS} 小时内有效的登录凭证，不保存密钥本身；看板只显示该密钥所属辖区。</p></section></main>`,
  );
}

/** What the sign-in page says about a refused attempt. */
export function describeConsoleError(e: DomainError): string {
  if (e instanceof ValidationError) {
    return '请粘贴 API 密钥。';
  }
  const role = e.details?.role as Role | undefined;
  if (e instanceof ForbiddenError && role) {
    return `此密钥的角色为「${ROLE_ZH[role] ?? role}」，不能查看指挥看板。请使用指挥长或值班员的密钥登录。`;
  }
  return e.message;
}
