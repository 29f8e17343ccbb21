/**
 * Chinese names of the codes the API speaks (hazards, colours, states, answers); English second. The Chinese words come
 * from the service's one table of words (libs/config/src/words.ts, bundled at build time through the `@words` alias),
 * so the console, the pages and the messages never disagree; English and the colours' hues are the console's own.
 */
import { ANSWER_ZH, HAZARD_NAME_ZH, LEVEL_NAMES, LEVEL_ZH, ROLE_LABELS, reasonText } from '@words';

const HAZARD_EN = {
  rainstorm: 'Rainstorm',
  thunder: 'Thunderstorm',
  gale: 'Gale',
  heat: 'Heat',
  forest_fire: 'Forest fire',
  geo_hazard: 'Geological hazard',
  flash_flood: 'Flash flood',
  flood: 'Flood',
  reservoir: 'Reservoir',
  earthquake: 'Earthquake',
};
const COLOUR_EN = { red: 'Red', orange: 'Orange', yellow: 'Yellow', blue: 'Blue' };
const COLOUR_HEX = { red: '#d81e06', orange: '#f08c00', yellow: '#e6b800', blue: '#1769d1' };

/** [code, 中文, English] per hazard type. */
export const HAZARDS = Object.entries(HAZARD_NAME_ZH).map(([code, zh]) => [code, zh, HAZARD_EN[code] ?? code]);
/** [code, 中文, English, hue] per warning colour, red (level 1) first. */
export const COLOURS = LEVEL_NAMES.map((code) => [code, LEVEL_ZH[code], COLOUR_EN[code], COLOUR_HEX[code]]);
/** [code, 中文] per answer a person can give. */
export const RESPONSES = Object.entries(ANSWER_ZH);
/** The printed name of each role slot of the roster (行政责任人, 网格员 …). */
export const ROLE_ZH = Object.fromEntries(Object.entries(ROLE_LABELS).map(([slot, labels]) => [slot, labels[0]]));
const STATES = {
  active: '生效中',
  live: '生效中',
  tracking: '生效中',
  matched: '生效中',
  matching: '匹配中',
  received: '已接收',
  superseded: '已更新',
  held: '待研判',
  dismissed: '已驳回',
  cancelled: '已取消',
  lifted: '已解除',
  expired: '已过期',
  closed: '已闭环',
  draft: '草稿',
  issued: '已签发',
  discarded: '已退回',
  pending: '待发送',
  sent: '已发出',
  delivered: '已送达',
  acknowledged: '已应答',
  escalated: '已升级',
  unreachable: '无法联系',
  answered: '已应答',
  notified: '已通知',
  queued: '排队中',
  failed: '失败',
  total: '合计',
  superseded_call: '已更新',
};

const pick = (table, code, lang) => {
  const row = table.find((r) => r[0] === code);
  return row ? (lang === 'en' ? row[2] : row[1]) : code;
};
export const hazardName = (code, lang = 'zh') => pick(HAZARDS, code, lang);
export const colourName = (code, lang = 'zh') => pick(COLOURS, code, lang);
export const colourHex = (code) => COLOURS.find((c) => c[0] === code)?.[3] ?? '#888';
export const stateName = (s) => STATES[s] ?? s;
export const responseName = (r) => RESPONSES.find((x) => x[0] === r)?.[1] ?? r ?? '';

export function fmtTime(v) {
  if (!v) {
    return '';
  }
  const d = new Date(v);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The hazard × level template: a headline and instructions the officer may edit. */
const ADVICE = {
  rainstorm: ['暴雨', '立即转移危险区域群众，停止户外作业，关闭危险路段'],
  thunder: ['雷电', '停止户外作业，远离高处和空旷地带'],
  gale: ['大风', '加固临时搭建物，停止高空和水上作业'],
  heat: ['高温', '停止午间户外作业，做好防暑降温'],
  forest_fire: ['森林火险', '严禁野外用火，扑火队伍集结待命'],
  geo_hazard: ['地质灾害气象风险', '巡查隐患点，危险区人员立即撤离'],
  flash_flood: ['山洪', '沿河沟人员立即转移到高处'],
  flood: ['洪水', '堤防巡查，低洼地带人员转移'],
  reservoir: ['水库', '下游人员做好转移准备，加密巡坝'],
  earthquake: ['地震', '组织人员到空旷地带避险，排查次生灾害'],
};
const LEVEL_WORDS = { red: '立即', orange: '尽快', yellow: '做好准备', blue: '注意防范' };
export function templateText(hazard, colour, areaName) {
  const [name, advice] = ADVICE[hazard] ?? ['灾害', '做好防范'];
  const level = colourName(colour);
  return {
    headline: `${areaName || ''}发布${name}${level}预警`,
    description: `${areaName || '相关区域'}${name}风险${colour === 'red' ? '极高' : colour === 'orange' ? '高' : '较高'}，现发布${name}${level}预警。`,
    instruction: `请${LEVEL_WORDS[colour] ?? ''}${advice}。`,
  };
}

/** Why a person is called, in one line: the same sentence the person's message and the preview use. */
export function reasonLine(r) {
  if (typeof r === 'string') {
    return r;
  }
  return r.text ?? reasonText(r);
}
export const reasonsText = (list) => [...new Set((list ?? []).map(reasonLine))].join('；');
