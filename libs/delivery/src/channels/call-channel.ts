import type { ChainResult } from '../failover/provider-health';
import type { ClaimedAttempt } from '../attempts/attempt-store';
import { levelName } from '@app/config';
import type { CallContent } from '../content/compose';
import { taggedHeadline } from '../content/version-change';

/** A provider's answer for one attempt; `delivered` when acceptance is delivery (webhooks). */
export type ChannelOutcome = ChainResult & { delivered?: boolean };

export interface CallChannel {
  send(attempt: ClaimedAttempt): Promise<ChannelOutcome>;
}

export function callContent(a: ClaimedAttempt, link: string): CallContent {
  return {
    personName: a.person_name,
    hazard: a.hazard_type,
    level: a.level,
    event: a.event,
    headline: taggedHeadline(a.headline, a.change, a.level ? levelName(a.level) : null),
    instruction: a.instruction,
    areaDesc: a.area_desc,
    isDrill: a.is_drill,
    requiresAck: a.requires_ack,
    deadlineAt: a.deadline_at,
    reasons: a.reasons,
    link,
  };
}
