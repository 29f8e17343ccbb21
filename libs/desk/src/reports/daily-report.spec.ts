import { DailyReport, renderHtml, renderText, reportDateFor } from './daily-report.service';

describe('daily report', () => {
  it('is about the day before the China day it is sent in', () => {
    expect(reportDateFor(new Date('2026-07-02T08:00:00+08:00'))).toBe('2026-07-01');
    // 00:30 in Beijing is still the previous day in UTC: the report is about the China day before.
    expect(reportDateFor(new Date('2026-07-02T00:30:00+08:00'))).toBe('2026-07-01');
    expect(reportDateFor(new Date('2026-07-01T23:59:00+08:00'))).toBe('2026-06-30');
    expect(reportDateFor(new Date('2026-01-01T07:00:00+08:00'))).toBe('2025-12-31');
  });

  const report: DailyReport = {
    date: '2026-07-01',
    subject: '【叫应日报】2026-07-01 日调度·日排名·日通报',
    warnings: [
      { headline: '暴雨<红色>预警', colour: 'red', sent: new Date('2026-07-01T02:05:00Z'), calls: 4, answered: 3 },
    ],
    towns: [{ key: '500230101', name: '甲镇', calls: 4, answered: 3, rate: 0.75, medianSeconds: 90, p90Seconds: 300 }],
    openIssues: { total: 0, byState: {}, items: [] },
  };

  it('writes the three parts in text, with China times and empty parts said so', () => {
    const text = renderText(report);
    expect(text).toContain('一、日调度：2026-07-01 预警 1 条');
    expect(text).toContain('10:05  红色  暴雨<红色>预警  4  3  75%');
    expect(text).toContain('1  甲镇  4  3  75%  1.5 分钟');
    expect(text).toContain('三、日通报：未销号问题 0 项\n  无未销号问题。');
  });

  it('escapes what it puts in HTML', () => {
    const html = renderHtml(report);
    expect(html).toContain('暴雨&lt;红色&gt;预警');
    expect(html).not.toContain('<红色>');
  });
});
