/**
 * The states of a call (call_tasks.state) and the sets of them the services ask about. Each set is named for the
 * question it answers; the SQL forms (`…_SQL`) are the same sets as `('a','b')` lists for queries that embed them.
 *
 *   pending ──sent──▶ sent ──answer──▶ acknowledged
 *      │               │
 *      └── no contact ─┴─▶ unreachable ──▶ escalated (silent at its deadline, or unreachable, or 无法履职)
 *   any unanswered state ──warning updated / lifted──▶ superseded / cancelled
 */
export const CALL_TASK_STATES = [
  'pending',
  'sent',
  'acknowledged',
  'escalated',
  'unreachable',
  'cancelled',
  'superseded',
] as const;

export type CallTaskState = (typeof CALL_TASK_STATES)[number];

/** Still waiting for the person's answer: messages may be sent, replies and keypresses count, deadlines and reminders run. */
export const UNANSWERED_STATES: readonly CallTaskState[] = ['pending', 'sent', 'escalated', 'unreachable'];

/** Still on the person's own ladder: neither escalated nor found unreachable (the next rung may run now). */
export const ON_LADDER_STATES: readonly CallTaskState[] = ['pending', 'sent'];

/** Unanswered and still reachable: a person already called who can still act on a climb that names them. */
export const REACHABLE_UNANSWERED_STATES: readonly CallTaskState[] = ['pending', 'sent', 'escalated'];

/**
 * Unanswered and not yet escalated: closed (superseded / cancelled) when the warning is updated or lifted. An
 * escalated call keeps its state: the climb it started is part of the record.
 */
export const UNESCALATED_UNANSWERED_STATES: readonly CallTaskState[] = ['pending', 'sent', 'unreachable'];

/** Closed by a later version or the lift of its warning: nothing more is sent, an answer is refused. */
export const WITHDRAWN_STATES: readonly CallTaskState[] = ['cancelled', 'superseded'];

/** `('a', 'b')` for a set, to embed in SQL next to `state IN` / `state NOT IN`. */
const sqlList = (states: readonly CallTaskState[]): string => `(${states.map((s) => `'${s}'`).join(', ')})`;

export const UNANSWERED_STATES_SQL = sqlList(UNANSWERED_STATES);
export const ON_LADDER_STATES_SQL = sqlList(ON_LADDER_STATES);
export const UNESCALATED_UNANSWERED_STATES_SQL = sqlList(UNESCALATED_UNANSWERED_STATES);
export const WITHDRAWN_STATES_SQL = sqlList(WITHDRAWN_STATES);

const within =
  (set: readonly CallTaskState[]) =>
  (state: string): boolean =>
    (set as readonly string[]).includes(state);

export const isUnanswered = within(UNANSWERED_STATES);
export const isOnLadder = within(ON_LADDER_STATES);
export const isReachableUnanswered = within(REACHABLE_UNANSWERED_STATES);
export const isUnescalatedUnanswered = within(UNESCALATED_UNANSWERED_STATES);
export const isWithdrawn = within(WITHDRAWN_STATES);
