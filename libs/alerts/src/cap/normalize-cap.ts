import { IssueList } from './cap-issues';
import { parseCircle, parsePolygon } from './cap-geometry';
import { parseReferences } from './cap-references';
import { SCHEDULE_AHEAD_MS, SENT_AHEAD_MS } from './cap-time';
import { classifyColour, classifyHazard, LEVEL_OF_COLOUR } from './classify-hazard';
import { FieldChecks } from './field-checks';
import { HazardTables, normKey } from './hazard-tables';
import {
  AlertStatus,
  CapArea,
  CapInfo,
  CapReference,
  IngestNote,
  MsgType,
  NameValue,
  NormalizedAlert,
} from './normalized-alert';
import { RawArea, RawCap, RawInfo, RawNameValue } from './raw-cap';

export interface NormalizeContext {
  tables: HazardTables;
  now: Date;
}

const STATUSES: Record<string, AlertStatus | null> = {
  Actual: 'actual',
  Exercise: 'exercise',
  Test: 'test',
  System: null,
  Draft: null,
};
const MSG_TYPES: Record<string, MsgType | null> = {
  Alert: 'alert',
  Update: 'update',
  Cancel: 'cancel',
  Ack: null,
  Error: null,
};
const SCOPES = ['Public', 'Restricted', 'Private'];
const CATEGORIES = [
  ...['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire'],
  ...['Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'],
];
const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
const LANGUAGE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;
const ZH = /^zh(-cn|-hans(-cn)?)?$/i;

/**
 * Applies every rule the XSD cannot express (and the required/enum rules, for JSON) and maps the message to
 * a NormalizedAlert. Problems go to `issues`; returns null when there are any.
 */
export function normalizeRawCap(
  raw: RawCap,
  capVersion: NormalizedAlert['capVersion'],
  ctx: NormalizeContext,
  issues: IssueList,
): NormalizedAlert | null {
  const check = new FieldChecks(issues, ctx.now);
  // Empty optional elements real feeds carry: ignored, and said so on the warning.
  const notes: IngestNote[] = [];

  const identifier = check.capId(raw.identifier, 'identifier');
  const sender = check.capId(raw.sender, 'sender');
  const sent = check.required(raw.sent, 'sent') ? check.time(raw.sent, 'sent', SENT_AHEAD_MS) : null;

  const statusText = check.oneOf(raw.status, 'status', Object.keys(STATUSES));
  const status = statusText === null ? null : STATUSES[statusText];
  if (statusText !== null && status === null) {
    issues.add(
      'status',
      `status ${statusText} is not actionable (only Actual, Exercise and Test are)`,
      '该状态的报文无需处理',
    );
  }
  const msgTypeText = check.oneOf(raw.msgType, 'msgType', Object.keys(MSG_TYPES));
  const msgType = msgTypeText === null ? null : MSG_TYPES[msgTypeText];
  if (msgTypeText !== null && msgType === null) {
    issues.add(
      'msgType',
      `msgType ${msgTypeText} is not actionable (only Alert, Update and Cancel are)`,
      '该类型的报文无需处理',
    );
  }
  const scope = check.oneOf(raw.scope, 'scope', SCOPES);

  let references: CapReference[] = [];
  if (raw.references !== undefined && raw.references.trim() === '' && msgType === 'alert') {
    notes.push(
      ignored(
        'references',
        'an empty <references/> on an Alert was ignored',
        '空的 references 元素已忽略（新发预警无需引用）',
      ),
    );
  } else if (raw.references !== undefined) {
    const parsed = parseReferences(raw.references, ctx.now);
    if (parsed.ok) {
      references = parsed.value;
    } else {
      issues.add('references', parsed.problem, 'references须为“发送者,标识,发送时间”，以空格分隔');
    }
  } else if (msgType === 'update' || msgType === 'cancel') {
    const problem = `required for msgType ${msgTypeText}: name the message(s) this one ${msgType}s`;
    issues.add('references', problem, '更新/解除报文须填写references');
  }

  const infos = raw.info.map((info, i) => normalizeInfo(info, `info[${i}]`));

  if (!issues.isEmpty || sent === null || status === null || msgType === null || scope === null) {
    return null;
  }
  const mapped = infos.filter((x): x is CapInfo => x !== null);
  const chosen = Math.max(
    0,
    mapped.findIndex((info) => ZH.test(info.language)),
  );
  return {
    capVersion,
    sender,
    identifier,
    sent,
    msgType,
    status,
    scope,
    references,
    info: mapped[chosen] ?? emptyInfo(),
    hasInfo: mapped.length > 0,
    otherInfos: mapped.filter((_, i) => i !== chosen),
    notes,
  };

  function normalizeInfo(info: RawInfo, path: string): CapInfo | null {
    const p = `${path}.`;
    let language = 'en-US'; // the CAP default
    if (info.language !== undefined && check.required(info.language, `${p}language`)) {
      if (LANGUAGE.test(info.language)) {
        language = info.language;
      } else {
        issues.add(`${p}language`, `"${info.language}" is not a language tag such as zh-CN`, '语言代码有误');
      }
    }
    if (info.category.length === 0) {
      issues.add(`${p}category[0]`, 'required element is missing', '缺少必填字段');
    }
    info.category.forEach((c, i) => check.oneOf(c, `${p}category[${i}]`, CATEGORIES));
    const event = check.required(info.event, `${p}event`) ? info.event : '';
    const urgency = check.oneOf(info.urgency, `${p}urgency`, URGENCIES);
    const severity = check.oneOf(info.severity, `${p}severity`, SEVERITIES);
    const certainty = check.oneOf(info.certainty, `${p}certainty`, CERTAINTIES);
    const eventCodes = pairs(info.eventCode, `${p}eventCode`, false);
    check.time(info.effective, `${p}effective`, SCHEDULE_AHEAD_MS);
    const onset = check.time(info.onset, `${p}onset`, SCHEDULE_AHEAD_MS);
    const expires = check.time(info.expires, `${p}expires`, SCHEDULE_AHEAD_MS);
    const parameters = pairs(info.parameter, `${p}parameter`, true);
    const areas = info.area.map((a, i) => normalizeArea(a, `${p}area[${i}]`));
    if (urgency === null || severity === null || certainty === null) {
      return null;
    }
    const colour = classifyColour(parameters, event, severity, ctx.tables);
    return {
      language,
      event,
      eventCodes,
      hazardType: classifyHazard(event, eventCodes, ctx.tables),
      urgency,
      severity,
      certainty,
      level: colour === null ? null : LEVEL_OF_COLOUR[colour],
      colour,
      headline: info.headline ?? '',
      description: info.description ?? '',
      instruction: info.instruction ?? '',
      senderName: info.senderName === undefined || info.senderName === '' ? null : info.senderName,
      onset,
      expires,
      parameters,
      areas,
    };
  }

  function normalizeArea(area: RawArea, path: string): CapArea {
    const p = `${path}.`;
    check.required(area.areaDesc, `${p}areaDesc`);
    // An empty polygon/circle beside geometry that does give the area (geocodes, another shape) means nothing.
    const givenOtherwise = area.geocode.length > 0 || [...area.polygon, ...area.circle].some((t) => t.trim() !== '');
    const emptyIgnored = (kind: 'polygon' | 'circle', text: string, i: number): boolean => {
      if (text.trim() !== '' || !givenOtherwise) {
        return false;
      }
      notes.push(
        ignored(
          `${p}${kind}[${i}]`,
          `an empty <${kind}/> was ignored; the area is given by its other elements`,
          `空的 ${kind} 元素已忽略，范围按其余要素确定`,
        ),
      );
      return true;
    };
    const polygons = area.polygon.flatMap((text, i) => {
      if (emptyIgnored('polygon', text, i)) {
        return [];
      }
      const ring = parsePolygon(text);
      if (!ring.ok) {
        issues.add(`${p}polygon[${i}]`, ring.problem, '多边形须为“纬度,经度”序列且首尾闭合，至少4个点');
        return [];
      }
      return [ring.value];
    });
    const circles = area.circle.flatMap((text, i) => {
      if (emptyIgnored('circle', text, i)) {
        return [];
      }
      const circle = parseCircle(text);
      if (!circle.ok) {
        issues.add(`${p}circle[${i}]`, circle.problem, '圆形区域须为“纬度,经度 半径(千米)”');
        return [];
      }
      return [circle.value];
    });
    const geocodes = pairs(area.geocode, `${p}geocode`, false);
    const divisionCodes: string[] = [];
    geocodes.forEach((g, i) => {
      const code = divisionCode(g, `${p}geocode[${i}].value`);
      if (code !== null && !divisionCodes.includes(code)) {
        divisionCodes.push(code);
      }
    });
    return { areaDesc: area.areaDesc ?? '', polygons, circles, geocodes, divisionCodes };
  }

  /** A geocode that is a 6-, 9- or 12-digit division code, unless its valueName says it is something else. */
  function divisionCode(g: NameValue, field: string): string | null {
    const name = normKey(g.valueName);
    if (ctx.tables.otherGeocodeNames.some((n) => normKey(n) === name)) {
      return null;
    }
    const digits = /^\d+$/.test(g.value) && [6, 9, 12].includes(g.value.length);
    if (!digits && ctx.tables.divisionGeocodeNames.some((n) => normKey(n) === name)) {
      issues.add(field, `division code "${g.value}" must be 6, 9 or 12 digits`, '行政区划代码须为6、9或12位数字');
    }
    return digits ? g.value : null;
  }

  /** valueName/value pairs; `emptyValueOk` for parameters, whose value may be empty in real feeds. */
  function pairs(list: RawNameValue[], base: string, emptyValueOk: boolean): NameValue[] {
    return list.flatMap((nv, i) => {
      const nameOk = check.required(nv.valueName, `${base}[${i}].valueName`);
      const field = `${base}[${i}].value`;
      const valueOk = emptyValueOk && nv.value === '' ? true : check.required(nv.value, field);
      return nameOk && valueOk ? [{ valueName: nv.valueName ?? '', value: nv.value ?? '' }] : [];
    });
  }
}

function ignored(field: string, problem: string, hint: string): IngestNote {
  return { field, note: `${problem}（${hint}）` };
}

/** Stands in for a missing info block: no event, no area, so the message is recorded and calls nobody itself. */
function emptyInfo(): CapInfo {
  return {
    language: 'und',
    event: '',
    eventCodes: [],
    hazardType: 'other',
    urgency: 'Unknown',
    severity: 'Unknown',
    certainty: 'Unknown',
    level: null,
    colour: null,
    headline: '',
    description: '',
    instruction: '',
    senderName: null,
    onset: null,
    expires: null,
    parameters: [],
    areas: [],
  };
}
