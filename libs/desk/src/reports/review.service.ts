import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { DataSource } from 'typeorm';
import { TransientError, chinaDateTime, maskPhone } from '@app/common';
import {
  ANSWER_METHOD_ZH,
  ANSWER_ZH,
  APP_CONFIG,
  AppConfig,
  CALL_STATE_ZH,
  CHANNEL_ZH,
  ESCALATION_REASON_ZH,
  ESCALATION_RESPONSE_ZH,
  MESSAGE_STATE_ZH,
} from '@app/config';
import { CommandBoardService, BoardUnit } from '../board/command-board.service';
import { COUNTER_NAMES, COUNTER_ZH } from '../board/board-sql';

type Cell = string | number | Date | null;

/** The rows of people of the caller's region ($2), as the board's counts are. */
const IN_REGION = (person: string) => `($2 = '500000' OR ${person}.admin_unit_code LIKE $2 || '%')`;

/** Each sheet: its columns, its rows, and the stored words of some columns (by index) as a person reads them. */
const SHEETS: Array<{ name: string; header: string[]; sql: string; words?: Record<number, Record<string, string>> }> = [
  {
    name: '叫应',
    words: { 4: CALL_STATE_ZH, 8: ANSWER_ZH, 9: ANSWER_METHOD_ZH },
    header: [
      '姓名',
      '职务',
      '单位',
      '层级',
      '状态',
      '发起',
      '时限',
      '应答时间',
      '应答',
      '方式',
      '迟报',
      '超时起',
      '提醒次数',
      '转电话叫应',
    ],
    sql: `SELECT p.name, p.title, u.name AS unit, t.tier, t.state, t.created_at, t.deadline_at, t.acknowledged_at, a.response, a.method, a.late,
                 t.overdue_since, t.reminders, t.manual_call_at
          FROM call_tasks t JOIN persons p ON p.id = t.person_id LEFT JOIN admin_units u ON u.code = p.admin_unit_code
          LEFT JOIN acknowledgements a ON a.call_task_id = t.id WHERE t.warning_id = $1 AND ${IN_REGION('p')} ORDER BY t.tier, u.name, p.name`,
  },
  {
    name: '发送',
    words: { 1: CHANNEL_ZH, 3: MESSAGE_STATE_ZH },
    header: ['姓名', '渠道', '轮次', '状态', '号码', '发出', '回执', '回执码', '错误'],
    sql: `SELECT p.name, at.channel, at.rung, at.status, c.address, at.sent_at, at.receipt_at, at.receipt_code, at.error
          FROM attempts at JOIN call_tasks t ON t.id = at.call_task_id JOIN persons p ON p.id = t.person_id
          JOIN contact_methods c ON c.id = at.contact_method_id WHERE t.warning_id = $1 AND ${IN_REGION('p')} ORDER BY at.created_at, p.name`,
  },
  {
    name: '升级',
    words: { 1: ESCALATION_REASON_ZH, 5: CALL_STATE_ZH },
    header: ['时间', '原因', '未应答人', '单位', '升级至', '其状态'],
    sql: `SELECT e.at, e.reason, fp.name, fu.name AS unit, tp.name AS to_name, tt.state
          FROM escalations e JOIN call_tasks ft ON ft.id = e.from_task_id JOIN persons fp ON fp.id = ft.person_id
          LEFT JOIN admin_units fu ON fu.code = fp.admin_unit_code LEFT JOIN call_tasks tt ON tt.id = e.to_task_id
          LEFT JOIN persons tp ON tp.id = tt.person_id WHERE e.warning_id = $1 AND ${IN_REGION('fp')} ORDER BY e.at, fp.name`,
  },
  {
    name: '督办',
    words: { 5: ESCALATION_RESPONSE_ZH },
    header: ['督办对象', '轮次', '发出', '时限', '涉及未应答人数', '答复', '答复时间', '备注'],
    sql: `SELECT p.name, n.round, n.sent_at, n.deadline_at, (SELECT count(*)::int FROM escalation_notice_items i WHERE i.notice_id = n.id),
                 x.response, x.at, x.note
          FROM escalation_notices n JOIN persons p ON p.id = n.person_id LEFT JOIN escalation_answers x ON x.notice_id = n.id
          WHERE n.warning_id = $1 AND ${IN_REGION('p')} ORDER BY n.round, n.sent_at, p.name`,
  },
];

/** A warning's 复盘 as data: the printable page and the workbook show the same. Numbers masked. */
export interface WarningReview {
  warning: { id: string; headline: string; colour: string | null; sent: Date; state: string };
  /** [label, value] rows: 叫应率, the board's counters, late answers */
  summary: Array<[string, string | number]>;
  /** Units with overdue people, most overdue first (at most 10) */
  silentUnits: Array<{ name: string; overdue: number; called: number; rate: number | null }>;
  sections: Array<{ name: string; header: string[]; rows: Cell[][] }>;
}

/**
 * 复盘: a warning's after-action review: a summary (counts, what went wrong: the unreachable, late answers, the units
 * silent longest) and every call, message, escalation and 督办 with times, of the caller’s region, as data and as a
 * workbook. Numbers masked.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly board: CommandBoardService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async review(warningId: string, regionCode: string): Promise<WarningReview> {
    const b = await this.board.board(regionCode, warningId);
    const [w] = await this.dataSource.query<Array<WarningReview['warning'] & { late: number }>>(
      `SELECT w.id, w.headline, w.colour, w.sent, w.state,
              (SELECT count(*)::int FROM acknowledgements a JOIN call_tasks t ON t.id = a.call_task_id WHERE t.warning_id = w.id AND a.late) AS late
       FROM warnings w WHERE w.id = $1`,
      [warningId],
    );
    const { late, ...warning } = w;
    const units: BoardUnit[] = [];
    const walk = (list: BoardUnit[]) =>
      list.forEach((u) => (u.level === 'village' || u.children.length === 0 ? units.push(u) : walk(u.children)));
    walk(b.tree);
    const sections: WarningReview['sections'] = [];
    for (const s of SHEETS) {
      const rows = await this.dataSource.query<Array<Record<string, Cell>>>(s.sql, [warningId, regionCode]);
      sections.push({
        name: s.name,
        header: s.header,
        rows: rows.map((r) =>
          Object.values(r).map((v, i) => {
            if (typeof v !== 'string') {
              return typeof v === 'boolean' ? (v ? '是' : '否') : v;
            }
            return /^1\d{10}$/.test(v) ? maskPhone(v) : (s.words?.[i]?.[v] ?? v);
          }),
        ),
      });
    }
    return {
      warning,
      summary: [
        ['叫应率', b.totals.rate === null ? '—' : `${Math.round(b.totals.rate * 100)}%`],
        ...COUNTER_NAMES.map((n): [string, number] => [COUNTER_ZH[n], b.totals[n]]),
        ['迟报（超时后应答）', late],
      ],
      silentUnits: units
        .filter((u) => u.overdue > 0)
        .sort((x, y) => y.overdue - x.overdue)
        .slice(0, 10)
        .map((u) => ({ name: u.name, overdue: u.overdue, called: u.called, rate: u.rate })),
      sections,
    };
  }

  async workbook(warningId: string, regionCode: string): Promise<{ filename: string; bytes: Buffer }> {
    const r = await this.review(warningId, regionCode);
    const book = new ExcelJS.Workbook();
    const summary = book.addWorksheet('概况');
    const add = (row: Cell[]) => summary.addRow(row);
    add(['预警', r.warning.headline]);
    add(['发布时间', r.warning.sent]);
    add(['状态', r.warning.state]);
    r.summary.forEach((row) => add(row));
    add([]);
    add(['未应答最久的单位', '已超时', '已叫', '叫应率']).font = { bold: true };
    r.silentUnits.forEach((u) =>
      add([u.name, u.overdue, u.called, u.rate === null ? '—' : `${Math.round(u.rate * 100)}%`]),
    );
    summary.getColumn(1).width = 22;
    summary.getColumn(2).width = 40;
    for (const s of r.sections) {
      const sheet = book.addWorksheet(s.name);
      sheet.addRow(s.header).font = { bold: true };
      s.rows.forEach((row) => sheet.addRow(row));
      sheet.columns.forEach((c) => (c.width = 16));
    }
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    return { filename: `review-${warningId}.xlsx`, bytes };
  }

  /**
   * The same review as a PDF (A4 landscape) in the configured Chinese font, embedded as a subset (pdfkit). Without the
   * font file the PDF cannot be written: 503, the printable page still works.
   */
  async pdf(warningId: string, regionCode: string): Promise<{ filename: string; bytes: Buffer }> {
    const font = this.config.pdf.fontFile;
    if (!existsSync(font)) {
      throw new TransientError(
        `PDF 所需中文字体缺失（${font}），请安装 fonts-wqy-microhei 或设置 PDF_FONT_FILE；可用打印页面另存为 PDF (Chinese font for PDF missing)`,
      );
    }
    const r = await this.review(warningId, regionCode);
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 32,
      info: { Title: `预警叫应复盘报告 ${r.warning.headline}` },
    });
    const done = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    // A TTC holds several faces: the first is taken by its PostScript name.
    if (font.endsWith('.ttc')) {
      doc.font(font, 'WenQuanYiMicroHei');
    } else {
      doc.font(font);
    }
    const text = (v: Cell | boolean | undefined): string =>
      v === null || v === undefined
        ? ''
        : v instanceof Date || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v))
          ? chinaDateTime(new Date(v))
          : String(v);
    doc.fontSize(18).text('预警叫应复盘报告', { align: 'center' });
    doc
      .fontSize(10)
      .text(`${r.warning.headline} · 发布 ${text(r.warning.sent)}`, { align: 'center' })
      .moveDown();
    const heading = (t: string) => doc.moveDown(0.5).fontSize(12).text(t).fontSize(8).moveDown(0.3);
    heading('一、概况');
    doc.table({ columnStyles: [120, 120], data: r.summary.map(([k, v]) => [k, String(v)]) });
    heading('二、未应答最久的单位');
    if (r.silentUnits.length > 0) {
      doc.table({
        data: [
          ['单位', '已超时', '已叫', '叫应率'],
          ...r.silentUnits.map((u) => [
            u.name,
            String(u.overdue),
            String(u.called),
            u.rate === null ? '—' : `${Math.round(u.rate * 100)}%`,
          ]),
        ],
      });
    } else {
      doc.text('无超时未应答的单位。');
    }
    r.sections.forEach((s, i) => {
      heading(`${['三', '四', '五', '六'][i]}、${s.name}（${s.rows.length}）`);
      if (s.rows.length > 0) {
        doc.table({ data: [s.header, ...s.rows.map((row) => row.map(text))] });
      } else {
        doc.text('无。');
      }
    });
    doc.end();
    return { filename: `review-${warningId}.pdf`, bytes: await done };
  }
}
