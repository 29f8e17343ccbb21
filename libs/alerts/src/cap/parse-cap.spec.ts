import * as fs from 'node:fs';
import { join } from 'node:path';
import * as iconv from 'iconv-lite';
import { ValidationError } from '@app/common';
import { loadHazardTables } from './hazard-tables';
import { NormalizedAlert } from './normalized-alert';
import { parseCap } from './parse-cap';

const FIXTURES = join(__dirname, '../../../../test/fixtures/cap');
const tables = loadHazardTables(join(__dirname, '../../../../config/hazard-map.json'));
const now = new Date('2024-09-01T00:00:00+08:00');

const fixture = (name: string): Buffer => fs.readFileSync(join(FIXTURES, name));
const parse = (body: Buffer | string, extra: { now?: Date; maxBytes?: number } = {}): Promise<NormalizedAlert> =>
  parseCap(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, { tables, now, ...extra });
/** A zh fixture's text with one edit applied. */
const edited = (name: string, from: string | RegExp, to: string): string => {
  const text = fixture(`zh/${name}`).toString('utf8');
  const out = text.replace(from, to);
  if (out === text) {
    throw new Error(`edit did not apply to ${name}: ${String(from)}`);
  }
  return out;
};

/** Runs parse and returns the ValidationError it must throw. */
async function refusal(body: Buffer | string, extra: { now?: Date; maxBytes?: number } = {}): Promise<ValidationError> {
  try {
    await parse(body, extra);
  } catch (e) {
    if (e instanceof ValidationError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a ValidationError, but the message was accepted');
}
const detail = (e: ValidationError, key: string): unknown => e.details?.[key];

describe('parseCap — the public fixtures', () => {
  it('reads OASIS A.1 (advisory, parameter HSAS, no geometry) with colour from severity', async () => {
    const a = await parse(fixture('oasis-v1dot2_appendix_adot1.xml'));
    expect(a).toMatchObject({
      capVersion: '1.2',
      identifier: '43b080713727',
      sender: 'hsas@dhs.gov',
      msgType: 'alert',
    });
    expect(a.sent.toISOString()).toBe('2003-04-02T19:39:01.000Z');
    expect(a.info).toMatchObject({ hazardType: 'other', severity: 'Severe', colour: 'orange', level: 2 });
    expect(a.info.parameters).toEqual([{ valueName: 'HSAS', value: 'ORANGE' }]);
    expect(a.info.areas).toEqual([
      {
        areaDesc: 'U.S. nationwide and interests worldwide',
        polygons: [],
        circles: [],
        geocodes: [],
        divisionCodes: [],
      },
    ]);
  });

  it('reads OASIS A.2 (thunderstorm polygon, SAME geocodes that are not division codes)', async () => {
    const a = await parse(fixture('oasis-v1dot2_appendix_adot2.xml'));
    expect(a.info.hazardType).toBe('thunder');
    expect(a.info.expires?.toISOString()).toBe('2003-06-17T23:00:00.000Z');
    const [area] = a.info.areas;
    expect(area.polygons).toEqual([
      [
        [-120.14, 38.47],
        [-119.95, 38.34],
        [-119.74, 38.52],
        [-119.89, 38.62],
        [-120.14, 38.47],
      ],
    ]);
    expect(area.geocodes.map((g) => g.value)).toEqual(['006109', '006009', '006003']);
    expect(area.divisionCodes).toEqual([]);
  });

  it('reads OASIS A.3 (Update with references, zero-radius circle)', async () => {
    const a = await parse(fixture('oasis-v1dot2_appendix_adot3.xml'));
    expect(a.msgType).toBe('update');
    expect(a.references).toEqual([
      { sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sent: new Date('2003-06-11T20:30:00-07:00') },
    ]);
    expect(a.info).toMatchObject({ hazardType: 'earthquake', colour: 'blue', level: 4 });
    expect(a.info.areas[0].circles).toEqual([{ lat: 32.9525, lon: -115.5527, radiusKm: 0 }]);
  });

  it('reads OASIS A.4 (en-US and es-US): no zh block, so the first is chosen and the other kept', async () => {
    const a = await parse(fixture('oasis-v1dot2_appendix_adot4.xml'));
    expect(a.info.language).toBe('en-US');
    expect(a.info.event).toBe('Child Abduction');
    expect(a.otherInfos.map((i) => [i.language, i.event])).toEqual([['es-US', 'Abducción de Niño']]);
    expect(a.info.hazardType).toBe('other');
  });

  it('accepts CAP 1.1 (google-weather: flash flood by SAME eventCode, empty parameter values kept)', async () => {
    const a = await parse(fixture('google-weather.cap'));
    expect(a.capVersion).toBe('1.1');
    expect(a.info).toMatchObject({ hazardType: 'flash_flood', senderName: 'NWS GreatFalls (Central Montana)' });
    expect(a.info.parameters.find((p) => p.valueName === 'WMOHEADER')).toEqual({ valueName: 'WMOHEADER', value: '' });
    expect(a.info.areas[0].geocodes).toEqual([
      { valueName: 'FIPS6', value: '030049' },
      { valueName: 'UGC', value: 'MTZ014' },
    ]);
    expect(a.info.areas[0].divisionCodes).toEqual([]);
  });

  it('accepts CAP 1.1 (google-earthquake: circle, severity Unknown gives no colour)', async () => {
    const a = await parse(fixture('google-earthquake.cap'));
    expect(a.capVersion).toBe('1.1');
    expect(a.info).toMatchObject({ hazardType: 'earthquake', colour: null, level: null, onset: null });
    expect(a.info.areas[0].circles).toEqual([{ lat: -16.053, lon: -173.274, radiusKm: 0 }]);
  });

  it('decodes ISO-8859-1 (google-earthquake-iso8859-1) and ignores the XML signature', async () => {
    const a = await parse(fixture('google-earthquake-iso8859-1.cap'));
    expect(a.info.headline).toBe('EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT');
    expect(a.info.areas[0].areaDesc).toContain('SSW of Usulután');
    expect(a.info.parameters).toHaveLength(12);
  });

  it('refuses google-invalid, naming the missing scope', async () => {
    const e = await refusal(fixture('google-invalid.cap'));
    expect(detail(e, 'field')).toBe('scope');
    expect(e.message).toMatch(/scope: required element is missing/);
  });

  it('accepts google-no_optional_fields (valid CAP 1.1 with no info block) as a message with nothing to call', async () => {
    const a = await parse(fixture('google-no_optional_fields.cap'));
    expect(a).toMatchObject({ capVersion: '1.1', msgType: 'alert', status: 'actual', hasInfo: false, otherInfos: [] });
    expect(a.info).toMatchObject({ hazardType: 'other', level: null, colour: null, areas: [] });
  });

  it('refuses google-xee at the DOCTYPE without reading any file', async () => {
    const body = fixture('google-xee.cap');
    // Spy on the module object the code under test calls (an `import * as` copy would not see its calls).
    const realFs = jest.requireActual<typeof fs>('node:fs');
    const reads = [jest.spyOn(realFs, 'readFileSync'), jest.spyOn(realFs, 'openSync'), jest.spyOn(realFs, 'readFile')];
    try {
      loadHazardTables(join(__dirname, '../../../../config/hazard-map.json'));
      expect(reads[0]).toHaveBeenCalledTimes(1); // the spy does see reads made by this library
      reads[0].mockClear();
      const e = await refusal(body);
      expect(detail(e, 'field')).toBe('xml');
      expect(detail(e, 'line')).toBe(3);
      expect(e.message).toMatch(/DOCTYPE/);
      for (const spy of reads) {
        expect(spy).not.toHaveBeenCalled();
      }
    } finally {
      for (const spy of reads) {
        spy.mockRestore();
      }
    }
  });

  it('refuses google-xee stripped of its DTD: the &xxe; reference and then the stray elements', async () => {
    const noDtd = fixture('google-xee.cap')
      .toString('utf8')
      .replace(/<!DOCTYPE[\s\S]*?\]>/, '');
    const entity = await refusal(noDtd);
    expect(detail(entity, 'field')).toBe('xml');
    expect(entity.message).toMatch(/undeclared entity &xxe;/);

    const schema = await refusal(noDtd.replace(/&xxe;/g, ''));
    expect(detail(schema, 'field')).toBe('x');
    expect(detail(schema, 'problem')).toMatch(/not expected/);
  });
});

describe('parseCap — zh-CN fixtures (丰都县十直镇 and others)', () => {
  it('maps the red rainstorm warning completely', async () => {
    const a = await parse(fixture('zh/rainstorm-red-shizhi.xml'));
    expect(a).toEqual<NormalizedAlert>({
      capVersion: '1.2',
      hasInfo: true,
      sender: 'qxt.fengdu@alerts.example.cn',
      identifier: '50023041600000_20240711015200_0',
      sent: new Date('2024-07-10T17:52:00.000Z'),
      msgType: 'alert',
      status: 'actual',
      scope: 'Public',
      references: [],
      info: {
        language: 'zh-CN',
        event: '暴雨红色预警信号',
        eventCodes: [{ valueName: '预警事件', value: '暴雨' }],
        hazardType: 'rainstorm',
        urgency: 'Immediate',
        severity: 'Extreme',
        certainty: 'Likely',
        level: 1,
        colour: 'red',
        headline: '丰都县气象台发布暴雨红色预警信号',
        description: expect.stringContaining('十直镇及周边镇降雨量将达100毫米以上') as string,
        instruction: expect.stringContaining('立即转移山洪危险区') as string,
        senderName: '丰都县气象台',
        onset: new Date('2024-07-10T17:52:00.000Z'),
        expires: new Date('2024-07-11T05:52:00.000Z'),
        parameters: [{ valueName: '预警级别', value: 'Ⅰ级' }],
        areas: [
          {
            areaDesc: '丰都县十直镇',
            polygons: [
              [
                [107.85, 29.95],
                [107.95, 29.95],
                [107.95, 29.85],
                [107.85, 29.85],
                [107.85, 29.95],
              ],
            ],
            circles: [],
            geocodes: [{ valueName: '行政区划代码', value: '500230107' }],
            divisionCodes: ['500230107'],
          },
        ],
      },
      otherInfos: [],
      notes: [],
    });
  });

  it.each([
    ['rainstorm-red-shizhi.xml', 'red', 1],
    ['rainstorm-orange-update.xml', 'orange', 2],
    ['rainstorm-yellow-polygon.xml', 'yellow', 3],
    ['rainstorm-blue-geocode.xml', 'blue', 4],
  ])('%s is a %s (level %i) rainstorm', async (name, colour, level) => {
    const a = await parse(fixture(`zh/${name}`));
    expect(a.info).toMatchObject({ hazardType: 'rainstorm', colour, level });
  });

  it('reads the Update with its reference and the circle around 十直镇', async () => {
    const a = await parse(fixture('zh/rainstorm-orange-update.xml'));
    expect(a.msgType).toBe('update');
    expect(a.references).toEqual([
      {
        sender: 'qxt.fengdu@alerts.example.cn',
        identifier: '50023041600000_20240711015200_0',
        sent: new Date('2024-07-11T01:52:00+08:00'),
      },
    ]);
    expect(a.info.areas[0].circles).toEqual([{ lon: 107.9, lat: 29.9, radiusKm: 8.5 }]);
  });

  it('reads the Cancel with two references', async () => {
    const a = await parse(fixture('zh/rainstorm-cancel.xml'));
    expect(a.msgType).toBe('cancel');
    expect(a.references.map((r) => r.identifier)).toEqual([
      '50023041600000_20240711015200_0',
      '50023041600000_20240711083000_0',
    ]);
  });

  it('takes 6-, 9- and 12-digit division codes from geocodes', async () => {
    const a = await parse(fixture('zh/rainstorm-blue-geocode.xml'));
    expect(a.info.areas[0].divisionCodes).toEqual(['500230107', '500230107203', '500230']);
    expect(a.info.areas[0].polygons).toEqual([]);
  });

  it('marks an Exercise and keeps both categories of the drill', async () => {
    const a = await parse(fixture('zh/geo-hazard-exercise.xml'));
    expect(a).toMatchObject({ status: 'exercise', scope: 'Restricted' });
    expect(a.info).toMatchObject({ hazardType: 'geo_hazard', colour: 'orange', level: 2 });
    expect(a.info.areas[0].divisionCodes).toEqual(['500113']);
  });

  it('decodes GB18030 (including a 4-byte character) and takes the colour from the event, not 火险等级 4', async () => {
    const a = await parse(fixture('zh/forest-fire-orange-gb18030.xml'));
    expect(a.info).toMatchObject({
      hazardType: 'forest_fire',
      colour: 'orange',
      level: 2,
      headline: '铜梁区发布森林火险橙色预警信号',
    });
    expect(a.info.description).toContain('25℃');
    expect(a.info.description).toContain('㐀');
  });

  it('handles a cap: prefix, picks the zh-CN block, decodes entities and keeps CDATA as written', async () => {
    const a = await parse(fixture('zh/thunder-prefixed-bilingual.xml'));
    expect(a.info.language).toBe('zh-CN');
    expect(a.info).toMatchObject({ hazardType: 'thunder', colour: 'orange' });
    expect(a.info.description).toContain('雷雨大风 & 短时强降水 <8级以上>');
    expect(a.info.instruction).toContain('建筑物 & 汽车内');
    expect(a.otherInfos.map((i) => [i.language, i.hazardType, i.colour])).toEqual([['en-US', 'thunder', 'orange']]);
  });

  it('picks a block whose language is just "zh"', async () => {
    const a = await parse(
      fixture('zh/thunder-prefixed-bilingual.xml')
        .toString('utf8')
        .replace('<cap:language>zh-CN<', '<cap:language>zh<'),
    );
    expect(a.info.language).toBe('zh');
  });
});

describe('parseCap — encodings', () => {
  const red = fixture('zh/rainstorm-red-shizhi.xml').toString('utf8');

  it.each(['GBK', 'GB2312', 'gb18030'])('reads the red warning encoded as %s', async (encoding) => {
    const body = iconv.encode(red.replace('encoding="UTF-8"', `encoding="${encoding}"`), encoding);
    expect(await parse(body)).toEqual(await parse(red));
  });

  it('accepts a UTF-8 byte-order mark and a message without a prolog', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(red, 'utf8')]);
    expect((await parse(bom)).info.headline).toBe('丰都县气象台发布暴雨红色预警信号');
    expect((await parse(red.replace(/^<\?xml[^>]*>\s*/, ''))).identifier).toBe('50023041600000_20240711015200_0');
  });

  it('accepts UTF-16 with a byte-order mark', async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(red.replace('UTF-8', 'UTF-16'), 'utf-16le')]);
    expect((await parse(body)).info.areas[0].areaDesc).toBe('丰都县十直镇');
  });

  it('refuses GB18030 bytes that claim to be UTF-8, and an unknown encoding', async () => {
    const lying = await refusal(iconv.encode(red, 'gb18030'));
    expect(detail(lying, 'field')).toBe('encoding');
    expect(lying.message).toMatch(/not valid UTF-8/);

    const unknown = await refusal(red.replace('encoding="UTF-8"', 'encoding="EBCDIC-CP-US"'));
    expect(detail(unknown, 'field')).toBe('encoding');
    expect(unknown.message).toMatch(/unsupported encoding "ebcdic-cp-us"/);
  });
});

describe('parseCap — safety and shape', () => {
  const red = fixture('zh/rainstorm-red-shizhi.xml').toString('utf8');

  it.each([
    ['a DOCTYPE', red.replace('<alert', '<!DOCTYPE alert>\n<alert')],
    ['a lower-case doctype', red.replace('<alert', '<!doctype alert [ <!entity x "y"> ]>\n<alert')],
    [
      'an internal entity bomb',
      red.replace('<alert', '<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<alert'),
    ],
  ])('refuses %s', async (_, text) => {
    const e = await refusal(text);
    expect(detail(e, 'field')).toBe('xml');
    expect(detail(e, 'problem')).toMatch(/not allowed/);
  });

  it('refuses a DOCTYPE hidden in UTF-16', async () => {
    const text = red
      .replace('UTF-8', 'UTF-16')
      .replace('<alert', '<!DOCTYPE alert SYSTEM "file:///etc/passwd">\n<alert');
    const e = await refusal(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]));
    expect(detail(e, 'field')).toBe('xml');
  });

  it('refuses a body over maxBytes, and an empty body', async () => {
    expect(detail(await refusal(red, { maxBytes: 100 }), 'field')).toBe('body');
    expect(detail(await refusal(Buffer.alloc(0)), 'field')).toBe('body');
  });

  it('refuses XML that is not well-formed, with the line', async () => {
    const e = await refusal(red.replace('</headline>', '</headlin>'));
    expect(detail(e, 'field')).toBe('xml');
    expect(detail(e, 'line')).toBe(24);
    expect(e.message).toMatch(/not well-formed/);
  });

  it('refuses absurd nesting as bad XML, not as a crash', async () => {
    const e = await refusal(red.replace('<scope>', `${'<x>'.repeat(200)}${'</x>'.repeat(200)}<scope>`));
    expect(detail(e, 'field')).toBe('xml');
  });

  it('refuses another namespace, naming it', async () => {
    const e = await refusal(red.replace('urn:oasis:names:tc:emergency:cap:1.2', 'http://www.incident.com/cap/1.0'));
    expect(detail(e, 'field')).toBe('xmlns');
    expect(e.message).toContain('http://www.incident.com/cap/1.0');
  });

  it('refuses an alert in no namespace, and a root that is not <alert>', async () => {
    expect(detail(await refusal(red.replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', '')), 'field')).toBe(
      'xmlns',
    );
    const notAlert = red.replace('<alert ', '<warning ').replace('</alert>', '</warning>');
    expect(detail(await refusal(notAlert), 'field')).toBe('alert');
  });

  it('refuses entity and encoding names that only exist on Object.prototype', async () => {
    const entity = await refusal(red.replace('丰都县气象台</senderName>', '&constructor;</senderName>'));
    expect(entity.message).toMatch(/undeclared entity &constructor;/);
    const encoding = await refusal(red.replace('encoding="UTF-8"', 'encoding="constructor"'));
    expect(detail(encoding, 'field')).toBe('encoding');
  });

  it('refuses an undeclared namespace prefix', async () => {
    const e = await refusal(red.replace('<scope>Public</scope>', '<x:scope>Public</x:scope>'));
    expect(detail(e, 'field')).toBe('xml');
    expect(e.message).toMatch(/prefix "x"/);
  });

  it('turns schema violations into CAP paths with lines', async () => {
    const unknown = await refusal(red.replace('<senderName>', '<foo>bar</foo>\n    <senderName>'));
    expect(detail(unknown, 'field')).toBe('foo');
    expect(detail(unknown, 'line')).toBe(23);
    expect(unknown.message).toMatch(/not expected.*Expected is/);

    const order = await refusal(red.replace('<headline>', '<instruction>first</instruction>\n    <headline>'));
    expect(detail(order, 'field')).toBe('info[0].headline');
    expect(detail(order, 'problem')).toMatch(/not expected/);
  });
});

describe('parseCap — rules beyond the schema (details.field names the element)', () => {
  const cases: Array<[string, string, string | RegExp, string, string, RegExp]> = [
    [
      'unclosed polygon',
      'rainstorm-red-shizhi.xml',
      ' 29.95,107.85</polygon>',
      '</polygon>',
      'info[0].area[0].polygon[0]',
      /not closed/,
    ],
    [
      '3-point polygon',
      'rainstorm-red-shizhi.xml',
      /<polygon>.*<\/polygon>/,
      '<polygon>29.95,107.85 29.95,107.95 29.95,107.85</polygon>',
      'info[0].area[0].polygon[0]',
      /at least 4/,
    ],
    [
      'polygon written lon,lat',
      'rainstorm-red-shizhi.xml',
      /<polygon>.*<\/polygon>/,
      '<polygon>107.85,29.95 107.95,29.95 107.95,29.85 107.85,29.95</polygon>',
      'info[0].area[0].polygon[0]',
      /latitude 107.85/,
    ],
    [
      'polygon with a bad pair',
      'rainstorm-red-shizhi.xml',
      '29.95,107.95 ',
      '29.95;107.95 ',
      'info[0].area[0].polygon[0]',
      /not a "lat,lon" pair/,
    ],
    [
      'negative radius',
      'rainstorm-orange-update.xml',
      '107.90 8.5',
      '107.90 -8.5',
      'info[0].area[0].circle[0]',
      /radius -8.5/,
    ],
    [
      'circle without radius',
      'rainstorm-orange-update.xml',
      '107.90 8.5',
      '107.90',
      'info[0].area[0].circle[0]',
      /lat,lon radius/,
    ],
    [
      'sent without zone',
      'rainstorm-red-shizhi.xml',
      '<sent>2024-07-11T01:52:00+08:00',
      '<sent>2024-07-11T01:52:00',
      'sent',
      /zone offset/,
    ],
    [
      'sent in Z',
      'rainstorm-red-shizhi.xml',
      '<sent>2024-07-11T01:52:00+08:00',
      '<sent>2024-07-10T17:52:00Z',
      'sent',
      /zone offset/,
    ],
    [
      'sent on 30 February',
      'rainstorm-red-shizhi.xml',
      '<sent>2024-07-11',
      '<sent>2024-02-30',
      'sent',
      /not a real date/,
    ],
    ['sent before 2000', 'rainstorm-red-shizhi.xml', '<sent>2024-07-11', '<sent>1999-07-11', 'sent', /before 2000/],
    [
      'onset without zone',
      'rainstorm-red-shizhi.xml',
      '<onset>2024-07-11T01:52:00+08:00',
      '<onset>2024-07-11T01:52:00',
      'info[0].onset',
      /zone offset/,
    ],
    [
      'references not triples',
      'rainstorm-orange-update.xml',
      /<references>.*<\/references>/,
      '<references>qxt.fengdu@alerts.example.cn 50023041600000_20240711015200_0</references>',
      'references',
      /not a "sender,identifier,sent" triple/,
    ],
    [
      'references with a zoneless time',
      'rainstorm-orange-update.xml',
      ',2024-07-11T01:52:00+08:00<',
      ',2024-07-11T01:52:00<',
      'references',
      /zone offset/,
    ],
    [
      'empty references',
      'rainstorm-orange-update.xml',
      /<references>.*<\/references>/,
      '<references></references>',
      'references',
      /empty/,
    ],
    [
      'Update without references',
      'rainstorm-orange-update.xml',
      /<references>.*<\/references>/,
      '',
      'references',
      /required for msgType Update/,
    ],
    [
      'Cancel without references',
      'rainstorm-cancel.xml',
      /<references>.*<\/references>/,
      '',
      'references',
      /required for msgType Cancel/,
    ],
    [
      'empty urgency',
      'rainstorm-red-shizhi.xml',
      '<urgency>Immediate</urgency>',
      '<urgency></urgency>',
      'info[0].urgency',
      /must not be empty/,
    ],
    [
      'unknown urgency',
      'rainstorm-red-shizhi.xml',
      '<urgency>Immediate</urgency>',
      '<urgency>Soon</urgency>',
      'info[0].urgency',
      /not one of Immediate/,
    ],
    [
      'empty event',
      'rainstorm-red-shizhi.xml',
      '<event>暴雨红色预警信号</event>',
      '<event> </event>',
      'info[0].event',
      /must not be empty/,
    ],
    [
      'empty areaDesc',
      'rainstorm-red-shizhi.xml',
      '<areaDesc>丰都县十直镇</areaDesc>',
      '<areaDesc/>',
      'info[0].area[0].areaDesc',
      /must not be empty/,
    ],
    [
      'identifier with a space',
      'rainstorm-red-shizhi.xml',
      '<identifier>50023041600000_',
      '<identifier>5002304 1600000_',
      'identifier',
      /spaces, commas/,
    ],
    ['msgType Ack', 'rainstorm-red-shizhi.xml', '<msgType>Alert', '<msgType>Ack', 'msgType', /not actionable/],
    ['msgType Error', 'rainstorm-red-shizhi.xml', '<msgType>Alert', '<msgType>Error', 'msgType', /not actionable/],
    ['status System', 'rainstorm-red-shizhi.xml', '<status>Actual', '<status>System', 'status', /not actionable/],
    ['status Draft', 'rainstorm-red-shizhi.xml', '<status>Actual', '<status>Draft', 'status', /not actionable/],
    [
      'short division code',
      'rainstorm-red-shizhi.xml',
      '<value>500230107</value>',
      '<value>50023</value>',
      'info[0].area[0].geocode[0].value',
      /6, 9 or 12 digits/,
    ],
    [
      'empty geocode value',
      'rainstorm-red-shizhi.xml',
      '<value>500230107</value>',
      '<value></value>',
      'info[0].area[0].geocode[0].value',
      /must not be empty/,
    ],
  ];

  it.each(cases)('%s', async (_, name, from, to, field, problem) => {
    const e = await refusal(edited(name, from, to));
    expect(detail(e, 'field')).toBe(field);
    expect(detail(e, 'problem')).toMatch(problem);
    expect(e.code).toBe('validation_failed');
  });

  it('refuses a message sent more than a day after "now"', async () => {
    const e = await refusal(fixture('zh/rainstorm-red-shizhi.xml'), { now: new Date('2024-07-09T00:00:00+08:00') });
    expect(detail(e, 'field')).toBe('sent');
    expect(detail(e, 'problem')).toMatch(/too far in the future/);
    await expect(
      parse(fixture('zh/rainstorm-red-shizhi.xml'), { now: new Date('2024-07-10T12:00:00+08:00') }),
    ).resolves.toBeDefined();
  });

  it('accepts status Test', async () => {
    expect((await parse(edited('rainstorm-red-shizhi.xml', '<status>Actual', '<status>Test'))).status).toBe('test');
  });

  it('reports every problem at once, each with its line', async () => {
    const text = edited('rainstorm-red-shizhi.xml', '<urgency>Immediate</urgency>', '<urgency/>').replace(
      ' 29.95,107.85</polygon>',
      '</polygon>',
    );
    const e = await refusal(text);
    expect(detail(e, 'issues')).toEqual([
      { field: 'info[0].urgency', problem: 'must not be empty', hint: '必填字段不能为空', line: 14 },
      expect.objectContaining({ field: 'info[0].area[0].polygon[0]', line: 33 }),
    ]);
    expect(e.message).toMatch(
      /^Invalid CAP message: info\[0\]\.urgency: must not be empty \(line 14\) \(and 1 more\)\. /,
    );
  });
});
