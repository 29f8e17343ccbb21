/**
 * A send that got no answer in time may still be in the provider's hands: a busy platform takes it seconds later, and
 * its query APIs list it only once taken (Tencent: once its receipt is in). Such a send keeps its claim until the claim
 * is stale, and the next claim asks the provider before sending again. Calls' attempts, notices and area SMS batches
 * all follow this rule.
 */

/** Claims after which an SMS whose outcome stays unknown is settled like any transient failure. */
export const UNCERTAIN_TRIES = 6;

/** How long after a kept claim turns stale it is taken again (a stale claim is free to the next sender). */
const AFTER_STALE_MS = 3_000;

/** Delay until a claim made at `claimedAt` is stale (`staleMs`) and may be taken again, the provider asked first. */
export function untilStaleMs(claimedAt: Date, staleMs: number, now: Date): number {
  return Math.max(0, claimedAt.getTime() + staleMs - now.getTime()) + AFTER_STALE_MS;
}
