import { Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { Clock, chinaDate, chinaIso, escapeHtml } from '@app/common';
import { APP_CONFIG, AppConfig, LEVEL_ZH, isLevelName } from '@app/config';
import { DailyReportsRepository, inRegionSql, WITHDRAWN_STATES_SQL } from '@app/database';
import { AckReportRow, AckReportService } from './ack-report.service';

/** A claim this old whose mail never went out was its sender's last act: another may send. */
const CLAIM_STALE_MS = 10 * 60_000;
const MAX_LISTED = 50;

/** The day (YYYY-MM-DD, China time) before the one `now` falls in: what a report sent at `now` is about. */
export function reportDateFor(now: Date): string {
  return chinaDate(now.getTime() - 86_400_000);
}

export const ISSUE_STATE_ZH: Record<string, string> = {
  open: '待整改',
  rectifying: '整改中',
  verified: '已核实',
  closed: '已销号',
};

export interface DailyReport {
  date: string;
  subject: string;
  warnings: Array<{ headline: string; colour: string | null; sent: Date; calls: number; answered: number }>;
  towns: AckReportRow[];
  openIssues: {
    total: number;
    byState: Record<string, number>;
    items: Array<{ title: string; state: string; unitName: string | null; createdAt: Date }>;
  };
}

export type DailyReportOutcome = 'done' | 'skipped' | 'busy';

/**
 * 日调度·日排名·日通报: the day's real warnings with their 叫应率, the towns ranked by 叫应率, and the problems not
 * yet struck off (销号), mailed to DAILY_REPORT_TO through the service's SMTP relay. Sent once per day: the first
 * worker to claim the day sends it; a day already sent is skipped.
 */
@Injectable()
export class DailyReportService implements OnModuleDestroy {
  private readonly logger = new Logger(DailyReportService.name);
  private transport?: Transporter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly acks: AckReportService,
    private readonly dailyReports: DailyReportsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(date: string, regionCode: string): Promise<DailyReport> {
    const from = new Date(`${date}T00:00:00+08:00`);
    const to = new Date(from.getTime() + 86_400_000);
    const warnings = await this.dataSource.query<DailyReport['warnings']>(
      `SELECT w.headline, w.colour, w.sent,
              count(t.id) FILTER (WHERE t.requires_ack AND t.state NOT IN ${WITHDRAWN_STATES_SQL})::int AS calls,
              count(t.acknowledged_at) FILTER (WHERE t.requires_ack AND t.state NOT IN ${WITHDRAWN_STATES_SQL})::int AS answered
       FROM warnings w LEFT JOIN call_tasks t ON t.warning_id = w.id
         AND ($1 = '500000' OR EXISTS (SELECT 1 FROM persons p WHERE p.id = t.person_id AND p.admin_unit_code LIKE $1 || '%'))
       WHERE w.sent >= $2 AND w.sent < $3 AND NOT w.is_drill AND ${inRegionSql('w', '$1')}
       GROUP BY w.id ORDER BY w.sent, w.id`,
      [regionCode, from, to],
    );
    const towns = (await this.acks.report(regionCode, { by: 'town', from, to, drill: false })).sort(
      (a, b) => b.rate - a.rate || b.calls - a.calls || a.key.localeCompare(b.key),
    );
    const issues = await this.dataSource.query<
      Array<{ title: string; state: string; unitName: string | null; createdAt: Date; total: number }>
    >(
      `SELECT i.title, i.state, u.name AS "unitName", i.created_at AS "createdAt", count(*) OVER (PARTITION BY i.state)::int AS total
       FROM issue_items i LEFT JOIN admin_units u ON u.code = i.unit_code
       WHERE i.state <> 'closed' AND ($1 = '500000' OR i.unit_code LIKE $1 || '%') ORDER BY i.created_at, i.id`,
      [regionCode],
    );
    const byState: Record<string, number> = {};
    issues.forEach((i) => (byState[i.state] = i.total));
    return {
      date,
      subject: `【叫应日报】${date} 日调度·日排名·日通报`,
      warnings,
      towns,
      openIssues: { total: issues.length, byState, items: issues.slice(0, MAX_LISTED).map(({ total: _t, ...i }) => i) },
    };
  }

  /** The job's work: claims the day, writes and mails the report, marks it sent. */
  async send(date: string): Promise<DailyReportOutcome> {
    const { to, regionCode } = this.config.dailyReport;
    if (to.length === 0) {
      return 'skipped';
    }
    const claim = await this.dailyReports.claim(date, regionCode, to.join(','), this.clock.now(), CLAIM_STALE_MS);
    if (claim !== 'claimed') {
      return claim === 'already_sent' ? 'skipped' : 'busy';
    }
    try {
      const report = await this.build(date, regionCode);
      this.transport ??= createTransport(this.config.mail.smtpUrl);
      await this.transport.sendMail({
        from: this.config.mail.from,
        to,
        subject: report.subject,
        text: renderText(report),
        html: renderHtml(report),
        messageId: `<daily-report-${date}-${regionCode}@jiaoying>`,
      });
      await this.dailyReports.markSent(date, report.subject, this.clock.now());
      this.logger.log({ msg: 'daily report sent', date, recipients: to.length });
      return 'done';
    } catch (e) {
      await this.dailyReports.release(date);
      throw e;
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}

const pct = (answered: number, calls: number) => (calls > 0 ? `${Math.round((answered / calls) * 100)}%` : '—');
const minutes = (s: number | null) => (s === null ? '—' : `${(s / 60).toFixed(1)} 分钟`);
const clock = (d: Date) => chinaIso(new Date(d)).slice(11, 16);
const day = (d: Date) => chinaDate(new Date(d));

/** The report's three parts as lines of text (the plain-text body; the HTML body shows the same as tables). */
function sections(r: DailyReport): Array<{ title: string; header: string[]; rows: string[][]; empty: string }> {
  const states = Object.entries(r.openIssues.byState)
    .map(([s, n]) => `${ISSUE_STATE_ZH[s] ?? s} ${n}`)
    .join('，');
  return [
    {
      title: `一、日调度：${r.date} 预警 ${r.warnings.length} 条（真实预警，不含演练）`,
      header: ['发布时间', '等级', '预警', '应叫应', '已应答', '叫应率'],
      rows: r.warnings.map((w) => [
        clock(w.sent),
        isLevelName(w.colour) ? LEVEL_ZH[w.colour] : '—',
        w.headline,
        String(w.calls),
        String(w.answered),
        pct(w.answered, w.calls),
      ]),
      empty: '当日无预警。',
    },
    {
      title: '二、日排名：乡镇（街道）叫应率',
      header: ['名次', '乡镇（街道）', '应叫应', '已应答', '叫应率', '应答中位数'],
      rows: r.towns.map((t, i) => [
        String(i + 1),
        t.name,
        String(t.calls),
        String(t.answered),
        pct(t.answered, t.calls),
        minutes(t.medianSeconds),
      ]),
      empty: '当日无叫应。',
    },
    {
      title: `三、日通报：未销号问题 ${r.openIssues.total} 项${states ? `（${states}）` : ''}`,
      header: ['状态', '问题', '单位', '登记日期'],
      rows: r.openIssues.items.map((i) => [
        ISSUE_STATE_ZH[i.state] ?? i.state,
        i.title,
        i.unitName ?? '—',
        day(i.createdAt),
      ]),
      empty: '无未销号问题。',
    },
  ];
}

export function renderText(r: DailyReport): string {
  const out = [r.subject, ''];
  for (const s of sections(r)) {
    out.push(s.title);
    out.push(...(s.rows.length ? s.rows.map((row) => `  ${row.join('  ')}`) : [`  ${s.empty}`]), '');
  }
  if (r.openIssues.total > r.openIssues.items.length) {
    out.push(`（另有 ${r.openIssues.total - r.openIssues.items.length} 项未列出，请在控制台查看）`);
  }
  return out.join('\n');
}

export function renderHtml(r: DailyReport): string {
  const cell = (tag: string, v: string) =>
    `<${tag} style="border:1px solid #ccc;padding:4px 8px;text-align:left">${escapeHtml(v)}</${tag}>`;
  const parts = sections(r).map(
    (s) =>
      `<h3>${escapeHtml(s.title)}</h3>${
        s.rows.length
          ? `<table style="border-collapse:collapse"><tr>${s.header.map((h) => cell('th', h)).join('')}</tr>${s.rows.map((row) => `<tr>${row.map((v) => cell('td', v)).join('')}</tr>`).join('')}</table>`
          : `<p>${escapeHtml(s.empty)}</p>`
      }`,
  );
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><h2>${escapeHtml(r.subject)}</h2>${parts.join('')}</body></html>`;
}

/** What a worker app needs to send the daily report, without the rest of the desk. */
@Module({
  providers: [AckReportService, DailyReportService],
  exports: [DailyReportService],
})
export class DailyReportModule {}
