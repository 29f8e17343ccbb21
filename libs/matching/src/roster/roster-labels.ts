import type { CallReason } from '@app/database';

/** Role slots as towns write them (责任类别), first label is the one printed. Other spellings import too. */
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

export const CONTRACTING_LABELS: Record<string, string> = {
  county_town: '区县领导包镇（街道）',
  town_village: '镇（街道）领导包村（社区）',
  village_group: '村（社区）干部包组',
};

/** 对象类型 as written → what it names: a protected object type, a risk-zone kind, or the unit itself. */
export const TARGET_TYPE_LABELS: Record<string, { targetType: 'object' | 'zone' | 'unit'; kind?: string }> = {
  水库: { targetType: 'object', kind: 'reservoir' },
  电站: { targetType: 'object', kind: 'hydropower' },
  水电站: { targetType: 'object', kind: 'hydropower' },
  学校: { targetType: 'object', kind: 'school' },
  矿山: { targetType: 'object', kind: 'mine' },
  非煤矿山: { targetType: 'object', kind: 'mine' },
  景区: { targetType: 'object', kind: 'scenic_spot' },
  在建工地: { targetType: 'object', kind: 'construction_site' },
  工地: { targetType: 'object', kind: 'construction_site' },
  山洪危险区: { targetType: 'zone', kind: 'flash_flood_danger_zone' },
  地灾隐患点: { targetType: 'zone', kind: 'hazard_point' },
  地质灾害隐患点: { targetType: 'zone', kind: 'hazard_point' },
  风险区: { targetType: 'zone', kind: 'risk_area' },
  易涝点: { targetType: 'zone', kind: 'waterlogging_point' },
  防洪风险点: { targetType: 'zone', kind: 'flood_weak_point' },
  林区: { targetType: 'zone', kind: 'forest_area' },
  乡镇: { targetType: 'unit' },
  村: { targetType: 'unit' },
  社区: { targetType: 'unit' },
};

function reverse(table: Record<string, string[]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [code, labels] of Object.entries(table)) {
    m.set(code, code);
    labels.forEach((l) => m.set(l, code));
  }
  return m;
}
const ROLE_BY_LABEL = reverse(ROLE_LABELS);
const SECTOR_BY_LABEL = reverse(SECTOR_LABELS);

export const roleFromLabel = (label: string): string | undefined => ROLE_BY_LABEL.get(label.trim());
export const sectorFromLabel = (label: string): string | undefined => SECTOR_BY_LABEL.get(label.trim());
export const roleLabel = (slot: string): string => ROLE_LABELS[slot]?.[0] ?? CONTRACTING_LABELS[slot] ?? slot;
export const sectorLabel = (sector: string): string => SECTOR_LABELS[sector]?.[0] ?? sector;

/** One line a person reads: why they are called. */
export function reasonText(r: CallReason): string {
  switch (r.kind) {
    case 'assignment':
      return `${r.targetName ?? r.targetId ?? ''} ${roleLabel(r.roleSlot ?? '')}（${sectorLabel(r.sector ?? 'all')}）`;
    case 'contracting':
      return `${CONTRACTING_LABELS[r.roleSlot ?? ''] ?? '包干'}：${r.targetName ?? ''}`;
    case 'one_to_one':
      return `一对一叫应：${r.targetName ?? ''}`;
    case 'escalation':
      return r.note ?? '升级叫应';
  }
}
