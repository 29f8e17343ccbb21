import type { Logger } from '@nestjs/common';
import { countRecoveryMetric } from './metrics';

/**
 * What the service did to recover from a crash or an outage, counted per process since it started:
 * - job_rerun: a job the sweep found failed for good, finished without its work, or missing, and added again;
 * - claim_reset: a message claimed by a sender that died, put back to be sent (messages and notices);
 * - attempt_reconciled / notice_reconciled / public_sms_reconciled: a message (a call's, a notice, a batch of area SMS)
 *   found at its provider, recorded as taken, not sent again;
 * - outcome_rewritten: a provider's answer whose record PostgreSQL lost to an outage, written again once it was back;
 * - email_resent_after_handover: an email sent again after a crash although an earlier claim reached the end of DATA
 *   (SMTP cannot be asked: it may arrive twice);
 * - timer_restored: a timer whose time passed without its check (deadline, rung, reminder, 督办) put back.
 * Each is counted in jiaoying_recovery_actions_total (metrics.ts) and is also a log line beginning `recovery:`.
 */
export type RecoveryAction =
  | 'job_rerun'
  | 'claim_reset'
  | 'attempt_reconciled'
  | 'notice_reconciled'
  | 'public_sms_reconciled'
  | 'outcome_rewritten'
  | 'email_resent_after_handover'
  | 'timer_restored';

const counts: Record<RecoveryAction, number> = {
  job_rerun: 0,
  claim_reset: 0,
  attempt_reconciled: 0,
  notice_reconciled: 0,
  public_sms_reconciled: 0,
  outcome_rewritten: 0,
  email_resent_after_handover: 0,
  timer_restored: 0,
};

// Every action shows on /metrics from the start, at 0 until it happens.
Object.keys(counts).forEach((action) => countRecoveryMetric(action, 0));

/** Counts `n` recovery actions of one kind and logs them (nothing when n is 0). */
export function countRecovery(
  logger: Pick<Logger, 'warn'>,
  action: RecoveryAction,
  n: number,
  detail: Record<string, unknown> = {},
): void {
  if (n <= 0) {
    return;
  }
  counts[action] += n;
  countRecoveryMetric(action, n);
  logger.warn({ msg: `recovery: ${action.replace('_', ' ')} ×${n}`, recovery: action, count: n, ...detail });
}

/** Every recovery action of this process so far, by kind (monotonic counters). */
export function recoveryCounts(): Readonly<Record<RecoveryAction, number>> {
  return { ...counts };
}
