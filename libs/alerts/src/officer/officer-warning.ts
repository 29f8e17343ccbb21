import { Colour, NormalizedAlert } from '../cap/normalized-alert';
import { LEVEL_ZH } from '@app/config';
import { composeAlert } from '../compose-alert';

/** What a duty officer writes: the warning's content, as drafted, previewed, approved and issued. */
export interface OfficerWarningContent {
  hazardType: string;
  colour: Colour;
  /** e.g. 暴雨红色预警; by default from the hazard and colour. */
  event: string;
  headline: string;
  description: string;
  instruction: string;
  /** Division codes (6, 9 or 12 digits); a town code covers its villages. */
  areaCodes: string[];
  /** Optional closed ring of [lon, lat]. */
  polygon: Array<[number, number]> | null;
  /** ISO 8601 with zone, or null for no expiry. */
  expires: string | null;
  /** An exercise: marked 【演练】 and kept out of statistics. */
  drill: boolean;
  /** Public warnings reach residents; Restricted ones only the responsible persons. */
  scope: 'Public' | 'Restricted';
}

/** How many approvals by another officer a content needs under the configured two-person rule (0 or 1). */
export function approvalsRequired(
  content: Pick<OfficerWarningContent, 'colour' | 'scope'>,
  rule: Array<'red' | 'public'>,
): number {
  return (rule.includes('red') && content.colour === 'red') || (rule.includes('public') && content.scope === 'Public')
    ? 1
    : 0;
}

/** Every officer warning is sent as `jiaoying-duty-<region>`; the identifier is the draft's, so a retry is recognised. */
export function officerSender(regionCode: string): string {
  return `jiaoying-duty-${regionCode}@alerts.local`;
}

export function officerIdentifier(draftId: string): string {
  return `JY-OFFICER-${draftId}`;
}

/** The CAP form of an issued draft: an Alert, or an Update continuing the chain of the warning it updates. */
export function officerAlert(
  draft: { id: string; regionCode: string; content: OfficerWarningContent },
  sent: Date,
  references: NormalizedAlert['references'],
  unitNames: string[],
): NormalizedAlert {
  const c = draft.content;
  return composeAlert({
    sender: officerSender(draft.regionCode),
    identifier: officerIdentifier(draft.id),
    sent,
    references,
    drill: c.drill,
    scope: c.scope,
    hazardType: c.hazardType,
    event: c.event,
    colour: c.colour,
    headline: c.headline,
    description: c.description,
    instruction: c.instruction,
    senderName: `值班室（${draft.regionCode}）`,
    expires: c.expires ? new Date(c.expires) : null,
    areaDesc: unitNames.join('、'),
    divisionCodes: c.areaCodes,
    polygons: c.polygon ? [c.polygon] : [],
  });
}

/** The headline of an update that changes colour and gives no headline: the old colour word becomes the new one. */
export function recolourHeadline(headline: string, from: Colour, to: Colour): string {
  return headline.split(LEVEL_ZH[from]).join(LEVEL_ZH[to]);
}
