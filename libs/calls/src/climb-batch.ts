import type { ResolvedSpec } from '@app/config';
import type { ClimbChange, EscalationRow, GatherInput, NewEvent, PerformanceEntry } from '@app/database';

/** A call about to climb, with what its climb needs: its person, warning, dispatch and the round it counts from. */
export interface ClimbingCall {
  id: string;
  warning_id: string;
  dispatch_id: string;
  person_id: string;
  person_name: string;
  tier: number;
  escalation_step: number;
  escalation_path: string[][];
  overdue_since: Date | null;
  first_round: number | null;
  round_base: number;
  level: number | null;
  spec: ResolvedSpec;
}

/** A call of a person above, as the climb sees it (null: the person has no call in the dispatch). */
export interface HeldCall {
  id: string;
  person_id: string;
  state: string;
}

/**
 * What the climbs of one transaction share (Escalator): the rows they need, read ahead in two statements for all of
 * them, and what they write, left for Escalator.flush to write in a few statements however many climbs there are.
 * A chunk of deadline checks (DeadlineService) climbs its calls this way with about ten statements in all, where each
 * call had cost five of its own; its 督办 are gathered last, so one it opens holds back other chunks climbing to the
 * same person only until the commit.
 */
export class ClimbBatch {
  /** The climbing calls, by id. */
  readonly calls = new Map<string, ClimbingCall>();
  /** Calls of the people above, by `dispatch|person`. */
  readonly held = new Map<string, HeldCall | null>();
  /** What the climbs did to the climbing calls, by id. */
  readonly changes = new Map<string, ClimbChange>();
  readonly escalations: EscalationRow[] = [];
  readonly events: NewEvent[] = [];
  readonly performance: PerformanceEntry[] = [];
  readonly gathers: GatherInput[] = [];

  /** The change of one climbing call, merged with what was already set for it. */
  change(id: string, change: Omit<ClimbChange, 'id'>): void {
    this.changes.set(id, { ...this.changes.get(id), ...change, id });
  }
}

export function heldKey(dispatchId: string, personId: string): string {
  return `${dispatchId}|${personId}`;
}
