/**
 * The service's table of words: every Chinese name a person reads for a level, colour, hazard, role slot, sector, API role
 * or escalation reason, and the one sentence that says why a person is called. Pages, messages, the preview and
 * imports all read them from here.
 */

/** Warning colours, level 1 (red) to 4 (blue). */
export type LevelName = 'red' | 'orange' | 'yellow' | 'blue';
export const LEVEL_NAMES: LevelName[] = ['red', 'orange', 'yellow', 'blue'];

/** 红色 … 蓝色: the colour as a warning names it (红色预警). */
export const LEVEL_ZH: Record<LevelName, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };

/** Level 1–4 → colour; no level reads as blue (the mildest). */
export function levelName(level: number | null): LevelName {
  return LEVEL_NAMES[(level ?? 4) - 1] ?? 'blue';
}

export function isLevelName(s: unknown): s is LevelName {
  return (LEVEL_NAMES as unknown[]).includes(s);
}

/** Hazard types as a warning names them (暴雨红色预警); a type not listed has no word. */
export const HAZARD_NAME_ZH: Record<string, string> = {
  rainstorm: '暴雨',
  thunder: '雷电',
  gale: '大风',
  heat: '高温',
  forest_fire: '森林火险',
  geo_hazard: '地质灾害气象风险',
  flash_flood: '山洪灾害',
  flood: '洪水',
  reservoir: '水库',
  earthquake: '地震',
};

/** The event of a warning of this hazard and colour: 暴雨红色预警 (预警 alone when neither is known). */
export function warningEventZh(hazardType: string, colour: LevelName | null): string {
  return `${HAZARD_NAME_ZH[hazardType] ?? ''}${colour ? LEVEL_ZH[colour] : ''}预警`;
}

/** Risk grades whose residents all get a public warning (高风险区全员发布). */
export const HIGH_RISK_GRADES = ['very_high', 'high', 'extreme'];

/** Role slots as towns write them (责任类别); the first label is the one printed, the others import too. */
export const ROLE_LABELS: Record<string, string[]> = {
  admin: ['行政责任人', '政府行政责任人', '行政负责人', '行政区负责人', '行政领导负责人'],
  technical: ['技术责任人', '技术负责人'],
  patrol: ['巡查责任人', '巡查员', '管护单位责任人', '经营单位责任人', '企业（单位）责任人', '企业单位责任人'],
  sector_supervisor: ['主管部门责任人', '行业监管部门负责人', '行业部门负责人'],
  monitor: ['监测预警员', '监测员', '群测群防员', '山洪灾害监测预警员'],
  grid_worker: ['网格员', '网格护林员'],
  duty_officer: ['值班员', '值班人员'],
  commander: ['指挥长'],
  party_secretary: ['党组织书记', '党委书记', '党支部书记'],
  operator: ['运行管理责任人'],
  one_to_one_caller: ['一对一叫应人'],
};

export const SECTOR_LABELS: Record<string, string[]> = {
  flood: ['防汛', '防汛抗旱', '水利', '洪涝'],
  geo_hazard: ['地质灾害', '地灾', '地质灾害防治'],
  forest_fire: ['森林防火', '森林防灭火', '林业'],
  education: ['教育'],
  mine: ['非煤矿山', '矿山'],
  tourism: ['文旅', '旅游', '文化旅游'],
  construction: ['建设施工', '住建', '建设'],
  all: ['综合', '全部', '所有行业'],
};

/** 包干 tiers: a leader answers for a lower unit. */
const CONTRACTING_LABELS: Record<string, string> = {
  county_town: '区县领导包镇（街道）',
  town_village: '镇（街道）领导包村（社区）',
  village_group: '村（社区）干部包组',
};

export const roleLabel = (slot: string): string => ROLE_LABELS[slot]?.[0] ?? CONTRACTING_LABELS[slot] ?? slot;
export const sectorLabel = (sector: string): string => SECTOR_LABELS[sector]?.[0] ?? sector;

/** What a caller may do, a person signed in or a machine's API key, as the console, the desk and the pages name it. */
export type CallerRoleName =
  | 'duty_officer'
  | 'shift_leader'
  | 'commander'
  | 'roster_admin'
  | 'admin'
  | 'viewer'
  | 'ingest';
export const CALLER_ROLE_ZH: Record<CallerRoleName, string> = {
  duty_officer: '值班员',
  shift_leader: '带班领导',
  commander: '指挥长',
  roster_admin: '名册管理员',
  admin: '系统管理员',
  viewer: '只读',
  ingest: '数据接入',
};

/** The roles an API key can have (the api_keys table allows no other). */
export const API_ROLES = ['ingest', 'duty_officer', 'commander', 'admin'] as const;
export type ApiRoleName = (typeof API_ROLES)[number];
export const isApiRole = (s: unknown): s is ApiRoleName => (API_ROLES as readonly unknown[]).includes(s);

/** A person's answer to a call, as the ack page and the who-answered notices say it. */
export type AnswerName = 'received' | 'on_post' | 'evacuating' | 'cannot_comply';
export const ANSWER_ZH: Record<AnswerName, string> = {
  received: '已收到',
  on_post: '已到岗',
  evacuating: '已组织转移',
  cannot_comply: '无法履职',
};

/** What happened to the person escalated from, after their name: 张三未在时限内应答. */
export type EscalationReasonName = 'no_ack' | 'unreachable' | 'cannot_comply';
export const ESCALATION_REASON_ZH: Record<EscalationReasonName, string> = {
  no_ack: '未在时限内应答',
  unreachable: '无法联系',
  cannot_comply: '报告无法履职',
};

/** Why a person is called, as stored on a call task (the fields the sentence needs). */
export interface ReasonWords {
  kind: 'assignment' | 'contracting' | 'one_to_one' | 'escalation';
  roleSlot?: string;
  sector?: string;
  targetId?: string;
  targetName?: string;
  note?: string;
}

/**
 * The one line a person reads for one reason, the same in the preview, the ack page, the email, the SMS and the
 * webhook: "汀溪村3组山洪危险区 行政责任人（防汛）", "一对一叫应：王大爷", "升级叫应：张三未在时限内应答".
 */
export function reasonText(r: ReasonWords): string {
  switch (r.kind) {
    case 'assignment':
      return `${r.targetName ?? r.targetId ?? ''} ${roleLabel(r.roleSlot ?? '')}（${sectorLabel(r.sector ?? 'all')}）`;
    case 'contracting':
      return `${CONTRACTING_LABELS[r.roleSlot ?? ''] ?? '包干'}：${r.targetName ?? ''}`;
    case 'one_to_one':
      return `一对一叫应：${r.targetName ?? ''}`;
    case 'escalation':
      return `升级叫应：${r.note ?? ''}`;
  }
}

/** A 督办's answer, as the people above report acting on it. */
export type EscalationResponseName = 'received' | 'contacted' | 'dispatched';
export const ESCALATION_RESPONSE_ZH: Record<EscalationResponseName, string> = {
  received: '已收到督办',
  contacted: '已联系上',
  dispatched: '已派人前往',
};

/** 断、禁、停、撤、疏: the 熔断 measures as an order and its pages name them. */
export const ORDER_MEASURE_ZH = {
  cut_off: '断（断电断气）',
  road_closure: '断（道路封闭）',
  ban: '禁（禁止进入/活动）',
  stop_work: '停工',
  stop_school: '停学',
  stop_business: '停业',
  stop_transport: '停运',
  stop_shipping: '停航',
  withdraw: '撤（人员撤离）',
  evacuate: '疏（疏散）',
} as const;

/** The channels a message goes over. */
export const CHANNEL_ZH: Record<string, string> = {
  sms: '短信',
  voice: '语音',
  email: '邮件',
  webhook: '接口推送',
  app: 'App',
  wecom: '企业微信',
};

/** How an answer came in. */
export const ANSWER_METHOD_ZH: Record<string, string> = {
  link: '链接',
  sms_reply: '短信回复',
  keypress: '语音按键',
  manual: '人工登记',
};

/** A call's state (call_tasks.state). */
export const CALL_STATE_ZH: Record<string, string> = {
  pending: '待发送',
  sent: '已发出',
  acknowledged: '已应答',
  escalated: '已升级',
  unreachable: '无法联系',
  cancelled: '已取消',
  superseded: '已被新版本取代',
};

/** A message's state (attempts.status). */
export const MESSAGE_STATE_ZH: Record<string, string> = {
  queued: '排队',
  sending: '发送中',
  accepted: '已受理',
  delivered: '已送达',
  failed: '失败',
  cancelled: '已取消',
};

/** The commander board's counters, in the order the board shows them. */
export const BOARD_COUNTER_ZH = {
  called: '已叫',
  delivered: '已送达',
  answered: '已应答',
  running: '未到时限',
  overdue: '已超时',
  escalated: '已升级',
  unreachable: '无法联系',
  superviseSilent: '督办未响应',
} as const;
