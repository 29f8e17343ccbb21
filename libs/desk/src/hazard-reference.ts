import { HAZARD_NAME_ZH, LEVEL_ZH, warningEventZh } from '@app/config';
import type { Colour } from '@app/alerts';

export interface LevelReference {
  colour: Colour;
  level: number;
  name: string;
  colourName: string;
  /** Display colour of the level (national warning-signal colours). */
  hex: string;
  template: { event: string; headline: string; description: string; instruction: string };
}

export interface HazardReference {
  code: string;
  name: string;
  levels: LevelReference[];
}

const LEVELS: Array<{ colour: Colour; level: number; hex: string; instruction: string }> = [
  {
    colour: 'red',
    level: 1,
    hex: '#E60012',
    instruction: '立即组织危险区域人员转移避险，停止户外作业和集会；各级责任人立即到岗到位，逐一叫应、确认转移到位。',
  },
  {
    colour: 'orange',
    level: 2,
    hex: '#FF7F00',
    instruction: '做好危险区域人员转移准备，加密巡查监测；责任人在岗值守，发现险情立即组织转移。',
  },
  {
    colour: 'yellow',
    level: 3,
    hex: '#FFD400',
    instruction: '加强监测巡查，检查防范措施落实情况；责任人保持通信畅通，做好应急准备。',
  },
  { colour: 'blue', level: 4, hex: '#1E6FD9', instruction: '关注天气和雨水情变化，做好防范准备；责任人保持通信畅通。' },
];

/** Hazards × levels in Chinese for the issue form: names, colours and a starting text for each field. */
export function hazardReference(): HazardReference[] {
  return Object.entries(HAZARD_NAME_ZH).map(([code, name]) => ({
    code,
    name,
    levels: LEVELS.map((l) => {
      const event = warningEventZh(code, l.colour);
      return {
        colour: l.colour,
        level: l.level,
        name: event,
        colourName: LEVEL_ZH[l.colour],
        hex: l.hex,
        template: {
          event,
          headline: `{发布单位}发布${event}`,
          description: `预计{时段}{区域}将出现${name}，可能引发险情，请注意防范。`,
          instruction: l.instruction,
        },
      };
    }),
  }));
}
