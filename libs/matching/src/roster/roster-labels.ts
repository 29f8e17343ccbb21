import { ROLE_LABELS, SECTOR_LABELS } from '@app/config';

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
