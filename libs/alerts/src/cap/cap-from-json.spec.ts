import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@app/common';
import { capFromJson } from './cap-from-json';
import { loadHazardTables } from './hazard-tables';
import { parseCap } from './parse-cap';

const FIXTURES = join(__dirname, '../../../../test/fixtures/cap/zh');
const tables = loadHazardTables(join(__dirname, '../../../../config/hazard-map.json'));
const now = new Date('2024-09-01T00:00:00+08:00');
const redJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, 'rainstorm-red-shizhi.json'), 'utf8')) as Record<string, unknown>;
const fromJson = (obj: unknown) => capFromJson(obj, { tables, now });

function refusal(obj: unknown): ValidationError {
  try {
    fromJson(obj);
  } catch (e) {
    if (e instanceof ValidationError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a ValidationError, but the message was accepted');
}

/** The red fixture with its single info block edited. */
function withInfo(edit: (info: Record<string, unknown>) => void): Record<string, unknown> {
  const msg = redJson();
  edit(msg.info as Record<string, unknown>);
  return msg;
}

describe('capFromJson', () => {
  it('gives exactly what parseCap gives for the same message in XML', async () => {
    const xml = await parseCap(readFileSync(join(FIXTURES, 'rainstorm-red-shizhi.xml')), { tables, now });
    expect(fromJson(redJson())).toEqual(xml);
  });

  it('takes info, area and repeatable elements as arrays too', () => {
    const msg = redJson();
    const info = msg.info as Record<string, unknown>;
    const area = info.area as Record<string, unknown>;
    const asArrays = {
      ...msg,
      info: [{ ...info, category: ['Met'], eventCode: [info.eventCode], area: [{ ...area, polygon: [area.polygon] }] }],
    };
    expect(fromJson(asArrays)).toEqual(fromJson(msg));
  });

  it('picks the zh-CN block among several and keeps the rest', () => {
    const msg = redJson();
    const zh = msg.info as Record<string, unknown>;
    const en = {
      ...zh,
      language: 'en-US',
      event: 'Rainstorm Red Warning',
      headline: 'Red rainstorm warning for Shizhi',
    };
    const a = fromJson({ ...msg, info: [en, zh] });
    expect(a.info.language).toBe('zh-CN');
    expect(a.otherInfos.map((i) => [i.language, i.hazardType, i.colour])).toEqual([['en-US', 'rainstorm', 'red']]);
  });

  it('maps a minimal Cancel', () => {
    const a = fromJson({
      identifier: 'X-2',
      sender: 'ops@alerts.example.cn',
      sent: '2024-07-11T11:10:00+08:00',
      status: 'Actual',
      msgType: 'Cancel',
      scope: 'Public',
      references: 'ops@alerts.example.cn,X-1,2024-07-11T01:52:00+08:00',
      info: { category: 'Met', event: '大风', urgency: 'Past', severity: 'Unknown', certainty: 'Observed' },
    });
    expect(a).toMatchObject({ msgType: 'cancel', capVersion: '1.2' });
    expect(a.info).toMatchObject({ hazardType: 'gale', colour: null, level: null, language: 'en-US', areas: [] });
  });

  it('refuses what is not an object', () => {
    expect(refusal([]).details?.field).toBe('alert');
    expect(refusal('<alert/>').details?.field).toBe('alert');
  });

  it('refuses an identifier or a sender longer than the 255 characters a warning keeps', () => {
    const e = refusal({ ...redJson(), identifier: '暴'.repeat(256), sender: `${'x'.repeat(250)}@alerts.example.cn` });
    const issues = e.details?.issues as Array<{ field: string; problem: string }>;
    expect(issues.map((i) => i.field)).toEqual(['identifier', 'sender']);
    expect(issues[0].problem).toContain('255');
    expect(fromJson({ ...redJson(), identifier: '暴'.repeat(255) }).identifier).toBe('暴'.repeat(255));
  });

  it('names every missing required field', () => {
    const e = refusal({ info: {} });
    const fields = (e.details?.issues as Array<{ field: string }>).map((i) => i.field);
    expect(fields).toEqual([
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'scope',
      'info[0].category[0]',
      'info[0].event',
      'info[0].urgency',
      'info[0].severity',
      'info[0].certainty',
    ]);
    expect(e.details?.field).toBe('identifier');
  });

  it('names a value of the wrong type once, by its path', () => {
    const e = refusal({ ...redJson(), identifier: 42 });
    expect(e.details?.field).toBe('identifier');
    expect(e.details?.problem).toBe('must be a string, got number');
    expect(e.details?.issues).toHaveLength(1);

    const area = refusal(withInfo((i) => (i.area = [i.area, 'somewhere'])));
    expect(area.details?.field).toBe('info[0].area[1]');
    expect(area.details?.problem).toBe('must be an object, got string');
  });

  it.each<[string, (info: Record<string, unknown>) => void, string, RegExp]>([
    [
      'unclosed polygon',
      (i) => ((i.area as Record<string, unknown>).polygon = '29.95,107.85 29.95,107.95 29.85,107.95 29.85,107.85'),
      'info[0].area[0].polygon[0]',
      /not closed/,
    ],
    ['empty urgency', (i) => (i.urgency = ''), 'info[0].urgency', /must not be empty/],
    ['severity in lower case', (i) => (i.severity = 'extreme'), 'info[0].severity', /not one of Extreme/],
    ['unknown category', (i) => (i.category = ['Met', 'Weather']), 'info[0].category[1]', /not one of Geo/],
    ['expires without zone', (i) => (i.expires = '2024-07-11T13:52:00.000Z'), 'info[0].expires', /zone offset/],
    [
      'parameter without valueName',
      (i) => (i.parameter = [{ value: '红色' }]),
      'info[0].parameter[0].valueName',
      /missing/,
    ],
    [
      'circle with radius 0 and a lat out of range',
      (i) => ((i.area as Record<string, unknown>).circle = '95,107.9 0'),
      'info[0].area[0].circle[0]',
      /latitude 95/,
    ],
  ])('applies the XML rules: %s', (_, edit, field, problem) => {
    const e = refusal(withInfo(edit));
    expect(e.details?.field).toBe(field);
    expect(e.details?.problem).toMatch(problem);
  });

  it('applies the header rules: references, actionability, timestamps', () => {
    expect(refusal({ ...redJson(), msgType: 'Update' }).details?.field).toBe('references');
    expect(refusal({ ...redJson(), references: 'a,b' }).details?.field).toBe('references');
    expect(refusal({ ...redJson(), status: 'Draft' }).details?.problem).toMatch(/not actionable/);
    expect(refusal({ ...redJson(), msgType: 'Ack' }).details?.problem).toMatch(/not actionable/);
    expect(refusal({ ...redJson(), sent: '2024-07-11 01:52:00' }).details?.field).toBe('sent');
  });

  it('accepts a message with no info block as one with nothing to call (a bare Cancel is usual)', () => {
    expect(capFromJson({ ...redJson(), info: [] })).toMatchObject({ hasInfo: false, info: { areas: [], level: null } });
  });

  it('uses the English message with a zh-CN hint', () => {
    const e = refusal(withInfo((i) => (i.urgency = '')));
    expect(e.message).toBe('Invalid CAP message: info[0].urgency: must not be empty. 必填字段不能为空');
  });
});
