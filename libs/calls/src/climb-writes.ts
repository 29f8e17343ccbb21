import type { EscalationRow, GatherInput, NewEvent, PerformanceEntry } from '@app/database';

/**
 * What climbs up the chain write besides the calls themselves: whom they reached, their events, their performance
 * records and the 督办 they join. Escalator.flush writes them in four statements however many climbs they hold: after
 * each climb, or once at the end of a chunk's transaction (DeadlineService), where a 督办 it opens holds back the
 * other chunks climbing to the same person for the shortest time.
 */
export class ClimbWrites {
  readonly escalations: EscalationRow[] = [];
  readonly events: NewEvent[] = [];
  readonly performance: PerformanceEntry[] = [];
  readonly gathers: GatherInput[] = [];
}
