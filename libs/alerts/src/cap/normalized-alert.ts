/** A CAP message (1.2, or 1.1 mapped) reduced to what Jiaoying acts on. Produced by parseCap / capFromJson. */
import type { LevelName } from '@app/config';

export type MsgType = 'alert' | 'update' | 'cancel';
export type AlertStatus = 'actual' | 'exercise' | 'test';
/** A warning colour (红/橙/黄/蓝), the config's level names. */
export type Colour = LevelName;

export interface CapReference {
  sender: string;
  identifier: string;
  sent: Date;
}

export interface NameValue {
  valueName: string;
  value: string;
}

export interface CapArea {
  areaDesc: string;
  /** Closed rings as [lon, lat] pairs (CAP writes "lat,lon"; we flip). */
  polygons: Array<Array<[number, number]>>;
  circles: Array<{ lon: number; lat: number; radiusKm: number }>;
  geocodes: NameValue[];
  /** Division codes (6, 9 or 12 digits) taken from geocodes. */
  divisionCodes: string[];
}

export interface CapInfo {
  language: string;
  event: string;
  eventCodes: NameValue[];
  /** Our hazard code (rainstorm, thunder, gale, heat, forest_fire, geo_hazard, flash_flood, flood, reservoir, earthquake, other). */
  hazardType: string;
  urgency: string;
  severity: string;
  certainty: string;
  /** 1 = red … 4 = blue, from parameters or severity; null when neither says. */
  level: number | null;
  colour: Colour | null;
  headline: string;
  description: string;
  instruction: string;
  senderName: string | null;
  onset: Date | null;
  expires: Date | null;
  parameters: NameValue[];
  areas: CapArea[];
}

/** Something a real feed sent that was accepted but ignored (an empty optional element), kept on the warning. */
export interface IngestNote {
  field: string;
  note: string;
}

export interface NormalizedAlert {
  capVersion: '1.1' | '1.2';
  sender: string;
  identifier: string;
  sent: Date;
  msgType: MsgType;
  status: AlertStatus;
  scope: string;
  references: CapReference[];
  /**
   * The chosen info block: zh-CN when present, else the first. A message may carry none (legal CAP, usual for a
   * Cancel): then hasInfo is false, info is an empty placeholder, and ingest takes what it needs from the
   * warning the message references.
   */
  info: CapInfo;
  hasInfo: boolean;
  /** The other info blocks, kept. */
  otherInfos: CapInfo[];
  /** Empty optional elements that were ignored (none for a clean message). */
  notes: IngestNote[];
}
