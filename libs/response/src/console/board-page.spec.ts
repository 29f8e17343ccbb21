import { createHash } from 'node:crypto';
import type { Board } from '../board.service';
import { clockZh, durationZh, LIST_ROWS, renderBoardLive, renderBoardPage } from './board-page';
import { CONSOLE_CSP, renderSignInPage } from './console-page';

const AT = new Date('2026-07-01T06:30:00Z'); // 14:30 in Beijing

function board(over: Partial<Board> = {}): Board {
  return {
    at: AT,
    regionCode: '500230',
    regionName: '丰都县',
    activeWarnings: [],
    townAckRates: [],
    openEscalations: [],
    unitsWithoutAnswers: [],
    evacuations: [],
    ordersPendingExecution: [],
    ...over,
  };
}

const W = { id: 'w1', chainId: 'c1', version: 1, headline: '丰都县气象台发布暴雨红色预警信号', colour: 'red', sent: new Date('2026-07-01T06:02:00Z'), calls: 10, answered: 4 };

describe('console board page', () => {
  it('says durations and times the way a duty room does', () => {
    expect(durationZh(45)).toBe('45 秒');
    expect(durationZh(12 * 60 + 59)).toBe('12 分钟');
    expect(durationZh(125 * 60)).toBe('2 小时 5 分钟');
    expect(durationZh(120 * 60)).toBe('2 小时');
    expect(durationZh(-3)).toBe('0 秒');
    expect(clockZh(new Date('2026-07-01T06:02:00Z'), AT)).toBe('14:02');
    expect(clockZh(new Date('2026-06-30T06:02:00Z'), AT)).toBe('6月30日 14:02');
  });

  it('puts 未应答 first: open escalations oldest first with their age, then silent units, then the rest', () => {
    const html = renderBoardLive(
      board({
        activeWarnings: [W],
        openEscalations: [
          { id: 'e1', warningId: 'w1', at: new Date('2026-07-01T06:18:00Z'), ageSeconds: 12 * 60, reason: 'no_ack', fromTaskId: 't1', fromPerson: '张三', toPerson: '李四', toState: 'sent' },
          { id: 'e2', warningId: 'w1', at: new Date('2026-07-01T06:18:00Z'), ageSeconds: 12 * 60, reason: 'no_ack', fromTaskId: 't1', fromPerson: '张三', toPerson: '赵六', toState: 'acknowledged' },
          { id: 'e3', warningId: 'w1', at: new Date('2026-07-01T06:28:00Z'), ageSeconds: 90, reason: 'unreachable', fromTaskId: 't2', fromPerson: '王五', toPerson: null, toState: null },
        ],
        unitsWithoutAnswers: [{ unitCode: '500230107203', unitName: '汀溪村', calls: 3 }],
        townAckRates: [{ townCode: '500230107', townName: '十直镇', calls: 10, answered: 4, rate: 0.4 }],
      }),
    );
    expect(html).toContain('<span class="age alarm">已超时 12 分钟</span><strong>张三</strong> 未在时限内应答 → 李四（已发送）、赵六（已应答）\n');
    expect(html).toContain('<span class="age">1 分钟前</span><strong>王五</strong> 无法联系\n');
    expect(html).toContain('<h2>升级未应答（最久的在前） <small>2 人</small></h2>');
    expect(html).toContain('丰都县气象台发布暴雨红色预警信号 · 14:18 升级');
    const order = ['id="escalations"', 'id="silent-units"', 'id="town-rates"', 'id="warnings"', 'id="evacuations"', 'id="orders"'].map((s) => html.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<span class="late">0/3 应答</span>');
    expect(html).toContain('<span>4/10 · 40%</span></div><div class="bar"><i class="low" style="width:40%"></i></div>');
    expect(html).toContain('<span class="badge red">红</span><strong>丰都县气象台发布暴雨红色预警信号</strong>');
    expect(html).toContain('<div class="tile alarm"><b>2</b>升级未应答（人）</div>');
  });

  it('shows evacuation progress and orders past their deadline', () => {
    const html = renderBoardLive(
      board({
        evacuations: [{
          evacuationId: 'v1', chainId: 'c1', riskZoneId: 'z1', zoneName: '汀溪村山洪危险区', unitCode: '500230107203', state: 'in_progress', organiser: '赵六',
          planned: { households: 10, persons: 30, special: 2 }, moved: { households: 5, persons: 24, special: 2 }, shelters: [], returnAuthorisedAt: null,
        }],
        ordersPendingExecution: [
          { orderId: 'o1', title: '十直镇停课', measure: 'stop_school', unitName: '十直镇中心小学', state: 'acknowledged', escalationLevel: 1, executeDeadlineAt: new Date('2026-07-01T06:25:00Z') },
          { orderId: 'o1', title: '十直镇停课', measure: 'stop_school', unitName: '十直镇中学', state: 'ordered', escalationLevel: 0, executeDeadlineAt: new Date('2026-07-01T06:45:00Z') },
        ],
      }),
    );
    expect(html).toContain('<span>24/30 人</span></div><div class="bar"><i class="high" style="width:80%"></i></div>');
    expect(html).toContain('5/10 户 · 特殊群体 2/2 · 组织：赵六');
    expect(html).toContain('<strong>十直镇中心小学</strong><span class="late">已逾期 5 分钟</span>');
    expect(html).toContain('停学 · 十直镇停课 · 已签收，待执行 · 已升级 1 级');
    expect(html).toContain('<strong>十直镇中学</strong>时限 14:45');
    expect(html).toContain('<section id="orders" class="alarm">');
  });

  it('lists at most LIST_ROWS rows and counts the rest', () => {
    const units = Array.from({ length: LIST_ROWS + 7 }, (_, i) => ({ unitCode: `5002301072${String(i).padStart(2, '0')}`, unitName: `村${i}`, calls: 2 }));
    const html = renderBoardLive(board({ unitsWithoutAnswers: units }));
    expect(html.match(/0\/2 应答/g)).toHaveLength(LIST_ROWS);
    expect(html).toContain('<li class="muted">另有 7 个单位未列出</li>');
    expect(html).toContain(`<small>${LIST_ROWS + 7} 个</small>`);
  });

  it('says so when there is nothing to show', () => {
    const html = renderBoardLive(board());
    expect(html).toContain('暂无升级未应答。');
    expect(html).toContain('辖区内暂无生效预警。');
    expect(html).not.toContain('class="alarm"');
  });

  it('escapes every name and headline', () => {
    const html = renderBoardPage(board({ activeWarnings: [{ ...W, headline: '<script>alert(1)</script>' }], regionName: '丰都<县>' }), { name: 'x"y', role: 'commander' });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('叫应指挥看板 · 丰都&lt;县&gt;');
    expect(html).toContain('指挥长 x&quot;y');
    expect(html.match(/<script>/g)).toHaveLength(1); // only our own polling script
  });

  it('runs only its own script (by hash), polls without scripts by meta refresh, and loads nothing from elsewhere', () => {
    const html = renderBoardPage(board(), { name: 'demo', role: 'duty_officer' });
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="10"></noscript>');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(CONSOLE_CSP).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    const signIn = renderSignInPage({ reason: 'expired', error: '<b>' });
    expect(signIn).not.toContain('<script');
    expect(signIn).toContain('登录已超过 12 小时，请重新登录。');
    expect(signIn).toContain('&lt;b&gt;');
  });
});
