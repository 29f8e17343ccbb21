import { LEVEL_ZH } from '@app/config';
import { LEVEL_OF_COLOUR } from './cap/classify-hazard';
import { CapReference, Colour, NormalizedAlert } from './cap/normalized-alert';

const SEVERITY_OF_COLOUR: Record<Colour, string> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};

/** A warning Jiaoying writes itself (duty officer, sensor threshold, fire rating), before it becomes CAP. */
export interface ComposedWarning {
  sender: string;
  identifier: string;
  sent: Date;
  references: CapReference[];
  drill: boolean;
  scope: 'Public' | 'Restricted';
  hazardType: string;
  event: string;
  colour: Colour;
  headline: string;
  description: string;
  instruction: string;
  senderName: string;
  expires: Date | null;
  areaDesc: string;
  divisionCodes: string[];
  /** Closed rings of [lon, lat]. */
  polygons: Array<Array<[number, number]>>;
  circles?: Array<{ lon: number; lat: number; radiusKm: number }>;
}

/**
 * The NormalizedAlert of a warning we compose, so it takes exactly the path a CAP message takes through
 * AlertIngestService. An Update when it references an earlier message.
 */
export function composeAlert(w: ComposedWarning): NormalizedAlert {
  const sent = new Date(Math.floor(w.sent.getTime() / 1000) * 1000); // CAP time has whole seconds
  return {
    capVersion: '1.2',
    hasInfo: true,
    sender: w.sender,
    identifier: w.identifier,
    sent,
    msgType: w.references.length > 0 ? 'update' : 'alert',
    status: w.drill ? 'exercise' : 'actual',
    scope: w.scope,
    references: w.references,
    info: {
      language: 'zh-CN',
      event: w.event,
      eventCodes: [],
      hazardType: w.hazardType,
      urgency: 'Immediate',
      severity: SEVERITY_OF_COLOUR[w.colour],
      certainty: 'Likely',
      level: LEVEL_OF_COLOUR[w.colour],
      colour: w.colour,
      headline: w.headline,
      description: w.description,
      instruction: w.instruction,
      senderName: w.senderName,
      onset: null,
      expires: w.expires,
      parameters: [{ valueName: '预警级别', value: LEVEL_ZH[w.colour] }],
      areas: [
        {
          areaDesc: w.areaDesc,
          polygons: w.polygons,
          circles: w.circles ?? [],
          geocodes: w.divisionCodes.map((value) => ({ valueName: '行政区划代码', value })),
          divisionCodes: w.divisionCodes,
        },
      ],
    },
    otherInfos: [],
    notes: [],
  };
}
