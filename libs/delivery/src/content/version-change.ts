import { isLevelName, LEVEL_ZH } from '@app/config';
import type { VersionChange } from '@app/database';

/**
 * The tag every message of a changed warning starts with: what changed and the level now, e.g. 【降级为橙色预警】,
 * 【范围调整·黄色预警】, 【解除】. Empty for a first version.
 */
export function changeTagZh(change: VersionChange | null, colour: string | null): string {
  const level = isLevelName(colour) ? `${LEVEL_ZH[colour]}预警` : '预警';
  switch (change) {
    case null:
      return '';
    case 'upgrade':
      return `【升级为${level}】`;
    case 'downgrade':
      return `【降级为${level}】`;
    case 'area':
      return `【范围调整·${level}】`;
    case 'update':
      return `【更新·${level}】`;
    case 'lift':
      return '【解除】';
  }
}

/** The headline with its change tag in front (a lift's headline that already says 解除 is left as it is). */
export function taggedHeadline(headline: string, change: VersionChange | null, colour: string | null): string {
  const tag = changeTagZh(change, colour);
  return tag === '' || headline.startsWith(tag) || (change === 'lift' && headline.includes('解除'))
    ? headline
    : `${tag}${headline}`;
}
