import fc from 'fast-check';
import iconv from 'iconv-lite';
import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import { writeXlsx } from '@app/matching';
import { resetDatabase } from '@app/testing';
import { ApiOnly, startApiOnly } from '../support/api-app';
import { FUZZ_RUNS, FUZZ_SEED, HostileRequests, announceSeed } from './fuzz-support';
import { issueKey } from './ingest-helpers';

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = [
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
];

/**
 * Hostile roster files (POST /api/v1/roster/import): malformed CSV and XLSX, wrong or missing columns, oversize files,
 * GBK, UTF-16, Big5 and Shift-JIS text, duplicate rows. The import is all or nothing: a refusal is a 4xx in Chinese and
 * English and leaves every table as it was; the service keeps answering.
 */
describe('hostile roster files (fuzz)', () => {
  let api: ApiOnly;
  let demo: DemoSummary;
  let duty: string;
  let villageName: string;
  let zoneName: string;

  beforeAll(async () => {
    announceSeed('fuzz-roster');
    api = await startApiOnly();
    await resetDatabase(api.ds);
    demo = await seedDemo(api.ds);
    duty = await issueKey(api.ds, 'fuzz-duty', 'duty_officer', '500230');
    [{ name: villageName }] = await api.ds.query<Array<{ name: string }>>(
      `SELECT name FROM admin_units WHERE code = $1`,
      [demo.shizhi.villageCode],
    );
    [{ name: zoneName }] = await api.ds.query<Array<{ name: string }>>(`SELECT name FROM risk_zones WHERE id = $1`, [
      demo.shizhi.flashFloodZoneIds[0],
    ]);
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('imports a hostile roster file all or nothing: a clear 4xx and no row written when it refuses', async () => {
    const hostile = new HostileRequests(api.ds);
    const good = [
      ['十直镇', villageName, '', '', '防汛', '网格员', '模糊甲', '第9网格网格员', '13800009001', ''],
      [
        '十直镇',
        villageName,
        zoneName,
        '山洪危险区',
        '防汛',
        '监测预警员',
        '模糊乙',
        '监测员',
        '13800009002',
        '模糊甲',
      ],
    ];
    const cell = fc.oneof(
      fc.constantFrom(
        '',
        '十直镇',
        villageName,
        zoneName,
        '防汛',
        '网格员',
        '13800009003',
        '=HYPERLINK("http://x")',
        '"',
        ',',
        '\n',
        '\r\n',
        '\u0000',
        '\uFEFF',
      ),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    );
    const row = fc.oneof(
      fc.constantFrom(...good),
      fc.array(cell, { minLength: 0, maxLength: 14 }),
      fc.tuple(fc.constantFrom(...good), fc.nat(9), cell).map(([r, i, c]) => r.map((v, j) => (j === i ? c : v))),
    );
    const header = fc.oneof(
      fc.constant(HEADER),
      fc.shuffledSubarray(HEADER, { minLength: 0, maxLength: HEADER.length }),
      fc.array(fc.oneof(fc.constantFrom(...HEADER), fc.string({ maxLength: 10 })), { maxLength: 14 }),
      fc.constant([...HEADER, ...HEADER]),
    );
    const csvText = (h: readonly string[], rows: ReadonlyArray<readonly string[]>) =>
      [h, ...rows]
        .map((r) => r.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','))
        .join('\n');
    const sheet = fc.tuple(header, fc.array(row, { maxLength: 30 }));
    const file = fc.oneof(
      sheet.map(([h, rows]) => ({ what: 'CSV (UTF-8)', type: CSV, bytes: Buffer.from(csvText(h, rows)) })),
      sheet.map(([h, rows]) => ({ what: 'CSV (GBK)', type: CSV, bytes: iconv.encode(csvText(h, rows), 'gbk') })),
      fc.tuple(sheet, fc.constantFrom('utf16le', 'utf16be', 'big5', 'shift_jis', 'latin1')).map(([[h, rows], enc]) => ({
        what: `CSV (${enc})`,
        type: CSV,
        bytes: iconv.encode(csvText(h, rows), enc, { addBOM: true }),
      })),
      fc.nat(3).map((n) => ({
        what: `the same row ${n + 2} times`,
        type: CSV,
        bytes: Buffer.from(
          csvText(
            HEADER,
            Array.from({ length: n + 2 }, () => good[0]),
          ),
        ),
      })),
      fc.constant({
        what: 'one person, two numbers',
        type: CSV,
        bytes: Buffer.from(csvText(HEADER, [good[0], good[0].map((v, j) => (j === 8 ? '13800009099' : v))])),
      }),
      fc
        .uint8Array({ maxLength: 4000 })
        .map((b) => ({ what: 'random bytes as CSV', type: CSV, bytes: Buffer.from(b) })),
      fc
        .uint8Array({ maxLength: 4000 })
        .map((b) => ({ what: 'random bytes as XLSX', type: XLSX, bytes: Buffer.from(b) })),
      fc.tuple(sheet, fc.nat(), fc.nat(255), fc.boolean()).map(([[h, rows], at, by, cut]) => ({
        what: cut ? 'XLSX truncated' : 'XLSX with a byte changed',
        type: XLSX,
        h,
        rows,
        at,
        by,
        cut,
      })),
      fc.constant({ what: 'an oversize CSV', type: CSV, bytes: Buffer.alloc(1024 * 1024 + 10, 'a') }),
    );
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (f, dryRun) => {
        let bytes: Buffer;
        if ('bytes' in f) {
          bytes = f.bytes;
        } else {
          const xlsx = await writeXlsx(
            '名单',
            [...f.h],
            f.rows.map((r) => [...r]),
          );
          bytes = Buffer.from(xlsx);
          if (f.cut) {
            bytes = bytes.subarray(0, f.at % bytes.length);
          } else {
            bytes[f.at % bytes.length] ^= f.by || 1;
          }
        }
        await hostile.send(`roster import, ${f.what}${dryRun ? ', dry run' : ''}`, () =>
          request(api.server)
            .post('/api/v1/roster/import')
            .query(dryRun ? { dryRun: 'true' } : {})
            .set('Authorization', `Bearer ${duty}`)
            .set('Content-Type', f.type)
            .send(bytes),
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    process.stdout.write(`fuzz-roster: ${FUZZ_RUNS} roster files, statuses ${JSON.stringify(hostile.statuses)}\n`);
    await request(api.server).get('/api/v1/health').expect(200);
  }, 120_000);
});
