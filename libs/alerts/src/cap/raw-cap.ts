/**
 * A CAP message as plain strings, before any rule is checked: what both the XML reader and the JSON reader
 * produce, so the rules and the mapping exist once. `undefined` = element absent; `''` = present but empty.
 */
export interface RawNameValue {
  valueName?: string;
  value?: string;
}

export interface RawArea {
  areaDesc?: string;
  polygon: string[];
  circle: string[];
  geocode: RawNameValue[];
}

export interface RawInfo {
  language?: string;
  category: string[];
  event?: string;
  urgency?: string;
  severity?: string;
  certainty?: string;
  eventCode: RawNameValue[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  parameter: RawNameValue[];
  area: RawArea[];
}

export interface RawCap {
  identifier?: string;
  sender?: string;
  sent?: string;
  status?: string;
  msgType?: string;
  scope?: string;
  references?: string;
  info: RawInfo[];
}

/** Text elements of an info block, in CAP order (used by both readers). */
export const INFO_TEXT_FIELDS = [
  'language',
  'event',
  'urgency',
  'severity',
  'certainty',
  'effective',
  'onset',
  'expires',
  'senderName',
  'headline',
  'description',
  'instruction',
] as const;

/** Text elements of the alert header that we read. */
export const ALERT_TEXT_FIELDS = ['identifier', 'sender', 'sent', 'status', 'msgType', 'scope', 'references'] as const;
