import { mkdtempSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetDatabase } from '@app/testing';
import { sendCommand, validateCommand } from '../../apps/cli/src/cap-commands';
import { capXml } from '../support/cap-builder';
import { ApiOnly, capTime, issueKey, startApiOnly } from './ingest-helpers';

const CAP = join(__dirname, '../fixtures/cap');

/** `jiaoying validate` and `jiaoying send`: the same rules and messages as the API, offline and against a running service. */
describe('the CAP command line', () => {
  const lines: string[] = [];
  const print = (l: string) => lines.push(l);

  beforeEach(() => {
    lines.length = 0;
  });

  it('validate: a folder of fixtures, each ✓ or ✗ with the same message as the API, exit 1 when any is invalid', async () => {
    const code = await validateCommand([CAP], print);
    expect(code).toBe(1);
    const line = (name: string) => lines.find((l) => l.includes(name)) ?? '';
    expect(line('google-invalid.cap')).toMatch(/^✗ .*Invalid CAP message: scope: required element is missing/);
    expect(line('google-xee.cap')).toMatch(/^✗ .*DOCTYPE/);
    expect(line('rainstorm-red-shizhi.xml')).toMatch(
      /^✓ .* alert actual rainstorm red — 丰都县气象台发布暴雨红色预警信号/,
    );
    expect(line('rainstorm-red-shizhi.json')).toMatch(/^✓ .*rainstorm red/);
    expect(line('forest-fire-orange-gb18030.xml')).toMatch(/^✓ .*forest_fire orange/);
    expect(line('google-no_optional_fields.cap')).toMatch(/^✓ /);
    // The real-feed fixtures: empty optional elements are accepted; a malformed polygon, an empty polygon that is all
    // the area has, and a misspelt JSON field are refused, as the API refuses them.
    expect(line('rainstorm-orange-empty-optional.xml')).toMatch(/^✓ /);
    expect(line('rainstorm-orange-bad-polygon.xml')).toMatch(/^✗ /);
    expect(line('rainstorm-orange-only-empty-polygon.xml')).toMatch(/^✗ /);
    expect(line('rainstorm-red-misspelt-geocodes.json')).toMatch(/^✗ .*geocodes/);
    expect(lines[lines.length - 1]).toBe('19 valid, 5 invalid（有效 19，无效 5）');
  });

  it('validate: lists every issue with its line, and exits 0 when all are valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jy-cli-'));
    const bad = capXml({ identifier: 'CLI-1', sent: '2024-07-11T01:52:00' }).replace(
      '<urgency>Immediate</urgency>',
      '<urgency/>',
    );
    writeFileSync(join(dir, 'bad.xml'), bad);
    expect(await validateCommand([join(dir, 'bad.xml')], print)).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^✗ .*bad\.xml: Invalid CAP message: sent: .*zone offset/),
      expect.stringMatching(/^ {4}- sent: .*\(line 5\)/),
      expect.stringMatching(/^ {4}- info\[0\]\.urgency: must not be empty \(line 13\)/),
      '0 valid, 1 invalid（有效 0，无效 1）',
    ]);
    lines.length = 0;
    expect(
      await validateCommand(
        [join(CAP, 'zh/rainstorm-yellow-polygon.xml'), join(CAP, 'oasis-v1dot2_appendix_adot3.xml')],
        print,
      ),
    ).toBe(0);
  });

  describe('send, against the service listening on a port', () => {
    let api: ApiOnly;
    let base: string;
    let key: string;

    beforeAll(async () => {
      api = await startApiOnly();
      await resetDatabase(api.ds);
      key = await issueKey(api.ds, 'cli', 'ingest', '500000');
      await api.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await api.stop();
    });

    it('posts each file and prints each answer; exit 1 when any was refused', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'jy-send-'));
      const sent = capTime(new Date(Date.now() - 60_000));
      writeFileSync(join(dir, 'a-good.xml'), capXml({ identifier: 'CLI-SEND-1', sent }));
      writeFileSync(join(dir, 'b-bad.xml'), capXml({ identifier: 'CLI-SEND-2' }).replace('<scope>Public</scope>', ''));
      writeFileSync(
        join(dir, 'c-good.json'),
        JSON.stringify({
          identifier: 'CLI-SEND-3',
          sender: 'cli@alerts.example.cn',
          sent,
          status: 'Actual',
          msgType: 'Alert',
          scope: 'Public',
          info: {
            language: 'zh-CN',
            category: 'Met',
            event: '大风蓝色预警',
            urgency: 'Expected',
            severity: 'Minor',
            certainty: 'Likely',
            area: { areaDesc: '十直镇', geocode: { valueName: '行政区划代码', value: '500230107' } },
          },
        }),
      );
      expect(await sendCommand([dir], base, key, print)).toBe(1);
      expect(lines).toEqual([
        expect.stringMatching(/^✓ .*a-good\.xml → 202 \{"id":"[0-9a-f-]{36}".*"outcome":"created"/),
        expect.stringMatching(/^✗ .*b-bad\.xml → 400 .*scope/),
        expect.stringMatching(/^✓ .*c-good\.json → 202 .*"outcome":"created"/),
      ]);
      lines.length = 0;
      expect(await sendCommand([join(dir, 'a-good.xml')], base, key, print)).toBe(0);
      expect(lines[0]).toMatch(/→ 200 .*"outcome":"duplicate"/);
      lines.length = 0;
      expect(await sendCommand([join(dir, 'a-good.xml')], base, 'wrong-key', print)).toBe(1);
      expect(lines[0]).toMatch(/→ 401 .*API/);
    });
  });
});
