import type { Options as CsvOptions } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { ValidationError } from '@app/common';
import { roleFromLabel, sectorFromLabel, TARGET_TYPE_LABELS } from './roster-labels';

/** The columns towns keep (表头), in the order the export writes them. */
export const BOARD_COLUMNS = [
  '区县',
  '乡镇',
  '村（社区）',
  '责任对象',
  '对象类型',
  '行业/领域',
  '责任类别',
  '姓名',
  '职务',
  '手机号码',
  '备用联系人/B角',
] as const;

type Field =
  | 'county'
  | 'town'
  | 'village'
  | 'target'
  | 'targetType'
  | 'sector'
  | 'role'
  | 'name'
  | 'title'
  | 'mobile'
  | 'backup'
  | 'validFrom'
  | 'validTo';

/** Header spellings seen in town spreadsheets → field. Compared after removing spaces and unifying brackets. */
const HEADERS: Record<Field, string[]> = {
  county: ['区县', '区(县)'],
  town: ['乡镇', '乡镇(街道)', '镇街', '镇(街道)', '乡镇街道'],
  village: ['村(社区)', '村社区', '村', '社区', '村(居)'],
  target: ['责任对象', '对象名称', '责任对象名称'],
  targetType: ['对象类型', '类型'],
  sector: ['行业/领域', '行业领域', '行业', '领域'],
  role: ['责任类别', '责任人类别', '责任人类型'],
  name: ['姓名', '责任人姓名'],
  title: ['职务', '职务(职称)'],
  mobile: ['手机号码', '手机', '联系电话', '手机号'],
  backup: ['备用联系人/b角', 'b角', '备用联系人', 'a/b角'],
  validFrom: ['有效期起', '起始日期'],
  validTo: ['有效期止', '截止日期'],
};
const REQUIRED: Field[] = ['town', 'role', 'sector', 'name', 'mobile'];
const FIELD_LABEL: Record<Field, string> = {
  county: '区县',
  town: '乡镇',
  village: '村（社区）',
  target: '责任对象',
  targetType: '对象类型',
  sector: '行业/领域',
  role: '责任类别',
  name: '姓名',
  title: '职务',
  mobile: '手机号码',
  backup: '备用联系人/B角',
  validFrom: '有效期起',
  validTo: '有效期止',
};

const MAX_IMPORT_ROWS = 20_000;

export interface RowError {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  column: string;
  problem: string;
}

/** One valid line of the sheet, with labels turned into codes; names are resolved against the database later. */
export interface RosterRow {
  row: number;
  county: string;
  town: string;
  village: string;
  target: string;
  targetType: { targetType: 'object' | 'zone' | 'unit'; kind?: string };
  sector: string;
  roleSlot: string;
  name: string;
  title: string;
  mobile: string;
  backup: string;
  validFrom: string | null;
  validTo: string | null;
}

const normalizeHeader = (h: string) => h.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')').toLowerCase();

/** The mobile as 11 digits, or null when it is not a mainland mobile number. */
export function normalizeMobile(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

function normalizeDate(text: string): string | null | undefined {
  if (text === '') {
    return null;
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  if (!m) {
    return undefined;
  }
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** Checks every data line of a sheet; all problems are returned, each with its row and column. Pure. */
/** Characters no roster cell holds; PostgreSQL refuses NUL in text outright. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function validateSheet(table: string[][]): { rows: RosterRow[]; errors: RowError[] } {
  const [header, ...lines] = table;
  const errors: RowError[] = [];
  const index = new Map<Field, number>();
  (header ?? []).forEach((h, i) => {
    const n = normalizeHeader(h);
    const field = (Object.keys(HEADERS) as Field[]).find((f) =>
      HEADERS[f].some((alias) => normalizeHeader(alias) === n),
    );
    if (field && !index.has(field)) {
      index.set(field, i);
    }
  });
  const missing = REQUIRED.filter((f) => !index.has(f));
  if (missing.length > 0) {
    return { rows: [], errors: missing.map((f) => ({ row: 1, column: FIELD_LABEL[f], problem: '缺少此列（表头）' })) };
  }
  if (lines.length > MAX_IMPORT_ROWS) {
    return {
      rows: [],
      errors: [{ row: MAX_IMPORT_ROWS + 2, column: '', problem: `一次最多导入 ${MAX_IMPORT_ROWS} 行` }],
    };
  }
  const rows: RosterRow[] = [];
  lines.forEach((line, i) => {
    const rowNo = i + 2;
    const cell = (f: Field) => (index.has(f) ? (line[index.get(f) as number] ?? '').trim() : '');
    if (line.every((c) => (c ?? '').trim() === '')) {
      return;
    }
    const bad = (f: Field, problem: string) => errors.push({ row: rowNo, column: FIELD_LABEL[f], problem });
    const before = errors.length;
    for (const f of index.keys()) {
      if (CONTROL_CHARACTER.test(cell(f))) {
        bad(f, '含有控制字符（如 NUL），文件可能已损坏或编码有误');
      }
    }
    for (const f of REQUIRED) {
      if (cell(f) === '') {
        bad(f, '不能为空');
      }
    }
    const roleSlot = cell('role') ? roleFromLabel(cell('role')) : undefined;
    if (cell('role') && !roleSlot) {
      bad('role', `无法识别的责任类别“${cell('role')}”`);
    }
    const sector = cell('sector') ? sectorFromLabel(cell('sector')) : undefined;
    if (cell('sector') && !sector) {
      bad('sector', `无法识别的行业/领域“${cell('sector')}”`);
    }
    const mobile = normalizeMobile(cell('mobile'));
    if (cell('mobile') && !mobile) {
      bad('mobile', `“${cell('mobile')}”不是有效的手机号码（11 位）`);
    }
    if (cell('name').length > 64) {
      bad('name', '姓名过长（最多 64 字）');
    }
    let targetType: RosterRow['targetType'] = { targetType: 'unit' };
    if (cell('target')) {
      const t = TARGET_TYPE_LABELS[cell('targetType')];
      if (!t || t.targetType === 'unit') {
        bad(
          'targetType',
          cell('targetType') ? `无法识别的对象类型“${cell('targetType')}”` : '填写了责任对象时必须填写对象类型',
        );
      } else {
        targetType = t;
      }
    }
    const validFrom = normalizeDate(cell('validFrom'));
    const validTo = normalizeDate(cell('validTo'));
    if (validFrom === undefined) {
      bad('validFrom', '日期格式应为 2024-01-01');
    }
    if (validTo === undefined) {
      bad('validTo', '日期格式应为 2024-01-01');
    }
    if (validFrom && validTo && validTo < validFrom) {
      bad('validTo', '截止日期早于起始日期');
    }
    if (errors.length === before) {
      rows.push({
        row: rowNo,
        county: cell('county'),
        town: cell('town'),
        village: cell('village'),
        target: cell('target'),
        targetType,
        sector: sector as string,
        roleSlot: roleSlot as string,
        name: cell('name'),
        title: cell('title'),
        mobile: mobile as string,
        backup: cell('backup'),
        validFrom: validFrom ?? null,
        validTo: validTo ?? null,
      });
    }
  });
  if (rows.length === 0 && errors.length === 0) {
    errors.push({ row: 2, column: '', problem: '文件中没有数据行' });
  }
  return { rows, errors };
}

/** CSV text from bytes: UTF-8 (with or without BOM), else GB18030 as Excel in Chinese Windows saves it. */
export function decodeCsv(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  const text = Buffer.from(utf8, 'utf8').equals(bytes) ? utf8 : iconv.decode(bytes, 'gb18030');
  return text.replace(/^\uFEFF/, '');
}

export function readCsv(bytes: Buffer): string[][] {
  try {
    const options: CsvOptions = { relax_column_count: true, skip_empty_lines: true, trim: true };
    return parse(decodeCsv(bytes), options);
  } catch (err) {
    throw new ValidationError(`CSV could not be read: ${(err as Error).message}（CSV 格式错误）`, { field: 'body' });
  }
}

/** The first worksheet as text cells (dates as YYYY-MM-DD, numbers as written). */
export async function readXlsx(bytes: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new ValidationError(`XLSX could not be read: ${(err as Error).message}（XLSX 文件无法读取）`, {
      field: 'body',
    });
  }
  const sheet = book.worksheets[0];
  if (!sheet) {
    throw new ValidationError('the workbook has no worksheet（工作簿中没有工作表）', { field: 'body' });
  }
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    table[n - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(table, (r) => r ?? []);
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) {
    return '';
  }
  if (v instanceof Date) {
    return v.toISOString().slice(0, 10);
  }
  if (typeof v === 'object') {
    if ('richText' in v) {
      return v.richText.map((t) => t.text).join('');
    }
    if ('text' in v) {
      return String(v.text);
    }
    if ('result' in v) {
      return cellText(v.result);
    }
    return '';
  }
  return String(v);
}

/** An XLSX workbook of rows under the given header. */
export async function writeXlsx(sheetName: string, header: readonly string[], rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(sheetName);
  sheet.addRow([...header]).font = { bold: true };
  rows.forEach((r) => sheet.addRow(r));
  // null, not empty, for a sheet with no cells at all
  (sheet.columns ?? []).forEach((c) => (c.width = 16));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** CSV with a BOM so Excel opens the Chinese text correctly. */
export function writeCsv(header: readonly string[], rows: string[][]): string {
  // A leading = + - @ would run as a formula in a spreadsheet: neutralised with an apostrophe.
  const safe = (v: string) => (/^[=+\-@]/.test(v) ? `'${v}` : v);
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `\uFEFF${[header, ...rows].map((r) => r.map((v) => quote(safe(v ?? ''))).join(',')).join('\r\n')}\r\n`;
}
