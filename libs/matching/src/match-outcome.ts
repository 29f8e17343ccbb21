import { EntityManager } from 'typeorm';
import type { NewEvent, WarningEntity } from '@app/database';
import type { NewCallTask, PlannedWork } from '@app/calls';
import type { MatchSummary } from '@app/calls';
import type { AreaMatch } from './area-matcher';
import type { Recipient } from './recipient-resolver';

/** Recipients as the planner takes them. */
export const callsFor = (people: Recipient[]): NewCallTask[] =>
  people.map((p) => ({
    personId: p.personId,
    tier: p.tier,
    reasons: p.reasons,
    escalationPath: p.escalationPath,
    unreachable: !p.hasContact,
  }));

/** The events of calls issued: who cannot be reached at all, and one CallIssued per call made. */
export function issuedEvents(warningId: string, people: Recipient[], work: PlannedWork): NewEvent[] {
  const unreachable = people.filter((p) => !p.hasContact).map((p) => p.personId);
  return [
    ...(unreachable.length > 0 ? [{ type: 'RecipientsUnreachable', warningId, data: { personIds: unreachable } }] : []),
    ...[...work.taskIds.values()].map((callTaskId) => ({ type: 'CallIssued', warningId, callTaskId })),
  ];
}

/** What matching saw, for the 无匹配对象 flag of a warning that called nobody. */
export async function matchSummary(
  tx: EntityManager,
  warning: Pick<WarningEntity, 'id' | 'areaCodes' | 'areaCircles' | 'hazardType'>,
  match: AreaMatch,
): Promise<MatchSummary> {
  const [geometry] = await tx.query<Array<{ has: boolean }>>(
    `SELECT area_geom IS NOT NULL AS has FROM warnings WHERE id = $1`,
    [warning.id],
  );
  return {
    hasArea: warning.areaCodes.length > 0 || (warning.areaCircles ?? []).length > 0 || geometry.has,
    units: match.unitCodes.length,
    zones: match.zones.length,
    objects: match.objects.length,
    hazardType: warning.hazardType,
  };
}
