/** Chinese names of the codes the API speaks (hazards, colours, states, answers); English second. */
export const HAZARDS = [
  ['rainstorm', '暴雨', 'Rainstorm'],
  ['thunder', '雷电', 'Thunderstorm'],
  ['gale', '大风', 'Gale'],
  ['heat', '高温', 'Heat'],
  ['forest_fire', '森林火险', 'Forest fire'],
  ['geo_hazard', '地质灾害气象风险', 'Geological hazard'],
  ['flash_flood', '山洪', 'Flash flood'],
  ['flood', '洪水', 'Flood'],
  ['reservoir', '水库', 'Reservoir'],
  ['earthquake', '地震', 'Earthquake'],
];
export const COLOURS = [
  ['red', '红色', 'Red', '#d81e06'],
  ['orange', '橙色', 'Orange', '#f08c00'],
  ['yellow', '黄色', 'Yellow', '#e6b800'],
  ['blue', '蓝色', 'Blue', '#1769d1'],
];
export const RESPONSES = [
  ['received', '已收到'],
  ['on_post', '已到岗'],
  ['evacuating', '正在转移'],
  ['cannot_comply', '无法履职'],
];
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

/** Why a person is called, in one line (the api sends the reason's parts; previews already carry `text`). */
export const ROLE_ZH = {
  admin: '行政责任人',
  technical: '技术责任人',
  patrol: '巡查责任人',
  sector_supervisor: '主管部门责任人',
  monitor: '监测预警员',
  grid_worker: '网格员',
  duty_officer: '值班员',
  commander: '指挥长',
  party_secretary: '党组织书记',
  operator: '运行管理责任人',
  one_to_one_caller: '一对一叫应人',
};
const CONTRACTING_ZH = {
  county_town: '区县领导包镇（街道）',
  town_village: '镇（街道）领导包村（社区）',
  village_group: '村（社区）干部包组',
};
export function reasonLine(r) {
  if (typeof r === 'string') {
    return r;
  }
  if (r.text) {
    return r.text;
  }
  switch (r.kind) {
    case 'assignment':
      return `${r.targetName ?? ''} ${ROLE_ZH[r.roleSlot] ?? r.roleSlot ?? ''}`.trim();
    case 'contracting':
      return `${CONTRACTING_ZH[r.roleSlot] ?? '包干'}：${r.targetName ?? ''}`;
    case 'one_to_one':
      return `一对一叫应：${r.targetName ?? ''}`;
    case 'escalation':
      return r.note ?? '升级叫应';
    default:
      return r.kind ?? '';
  }
}
export const reasonsText = (list) => [...new Set((list ?? []).map(reasonLine))].join('；');
