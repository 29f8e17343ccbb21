import iconv from 'iconv-lite';
import { decodeCsv, normalizeMobile, readXlsx, validateSheet, writeCsv, writeXlsx } from './roster-sheet';

const HEADER = [
  '乡镇（街道）',
  '村(社区)',
  '责任对象',
  '对象类型',
  '行业/领域',
  '责任类别',
  '姓名',
  '职务',
  '联系电话',
  'B角',
  '有效期止',
];

describe('validateSheet', () => {
  it('turns labels into codes and accepts the usual header spellings', () => {
    const { rows, errors } = validateSheet([
      HEADER,
      [
        '十直镇',
        '汀溪村',
        '汀溪村3组山洪危险区',
        '山洪危险区',
        '防汛抗旱',
        '监测员',
        '张三',
        '监测员',
        '138-0000-1234',
        '李四',
        '2025/6/30',
      ],
      ['十直镇', '', '', '', '地灾', '政府行政责任人', '王五', '副镇长', '+86 13800001235', '', ''],
    ]);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      row: 2,
      sector: 'flood',
      roleSlot: 'monitor',
      mobile: '13800001234',
      targetType: { targetType: 'zone', kind: 'flash_flood_danger_zone' },
      validTo: '2025-06-30',
    });
    expect(rows[1]).toMatchObject({
      row: 3,
      sector: 'geo_hazard',
      roleSlot: 'admin',
      targetType: { targetType: 'unit' },
      validTo: null,
    });
  });

  it('reports every bad cell with its row and column, skipping blank lines', () => {
    const { rows, errors } = validateSheet([
      HEADER,
      ['十直镇', '', '', '', '防汛', '网格员', '甲', '', '12345', '', ''],
      ['', '', '', '', '', '', '', '', '', '', ''],
      ['十直镇', '', '某水库', '', '天气', '村长', '', '', '13800001234', '', '2025-02-30'],
    ]);
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      { row: 2, column: '手机号码', problem: '“12345”不是有效的手机号码（11 位）' },
      { row: 4, column: '姓名', problem: '不能为空' },
      { row: 4, column: '责任类别', problem: '无法识别的责任类别“村长”' },
      { row: 4, column: '行业/领域', problem: '无法识别的行业/领域“天气”' },
      { row: 4, column: '对象类型', problem: '填写了责任对象时必须填写对象类型' },
      { row: 4, column: '有效期止', problem: '日期格式应为 2024-01-01' },
    ]);
  });

  it('refuses a cell holding a control character such as NUL, naming row and column', () => {
    const { rows, errors } = validateSheet([
      HEADER,
      ['十直镇', '', '', '', '防汛', '网格员', '张\u0000三', '', '13800001234', '', ''],
    ]);
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ row: 2, column: '姓名', problem: '含有控制字符（如 NUL），文件可能已损坏或编码有误' }]);
  });

  it('names missing header columns and refuses a file without data', () => {
    expect(validateSheet([['乡镇', '姓名']]).errors.map((e) => e.column)).toEqual([
      '责任类别',
      '行业/领域',
      '手机号码',
    ]);
    expect(validateSheet([HEADER]).errors).toEqual([{ row: 2, column: '', problem: '文件中没有数据行' }]);
  });
});

describe('files', () => {
  it('reads GB18030 and UTF-8 (with BOM) CSV alike', () => {
    const text = '乡镇,姓名\n十直镇,张三\n';
    expect(decodeCsv(iconv.encode(text, 'gb18030'))).toBe(text);
    expect(decodeCsv(Buffer.from(`\uFEFF${text}`))).toBe(text);
  });

  it('writes CSV that Excel opens and that cannot smuggle formulas', () => {
    expect(writeCsv(['a', 'b'], [['=cmd()', 'x,"y"']])).toBe('\uFEFFa,b\r\n\'=cmd(),"x,""y"""\r\n');
  });

  it('writes an XLSX sheet without any cell (no header, no rows), which reads back empty', async () => {
    expect(await readXlsx(await writeXlsx('空表', [], []))).toEqual([]);
  });

  it('round-trips an XLSX sheet', async () => {
    const bytes = await writeXlsx('名单', ['乡镇', '手机号码'], [['十直镇', '13800001234']]);
    expect(await readXlsx(bytes)).toEqual([
      ['乡镇', '手机号码'],
      ['十直镇', '13800001234'],
    ]);
  });

  it('normalises mainland mobiles only', () => {
    expect(normalizeMobile('+86 138 0000 1234')).toBe('13800001234');
    expect(normalizeMobile('023-1234567')).toBeNull();
  });
});
