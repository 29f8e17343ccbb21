import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { CheckStep } from './check-groups';

/**
 * Queue names (the Redis key part). Each is a Redis Cluster hash tag ({…}): every key of one queue falls in one slot,
 * as BullMQ's scripts need, and the queues spread over the cluster's masters. Single Redis ignores the braces.
 * Deadlines have a queue of their own so a fan-out never delays them.
 */
export enum QueueName {
  Matching = '{warning-matching}',
  DispatchEmail = '{dispatch-email}',
  DispatchSms = '{dispatch-sms}',
  /** Personal SMS in pages (SendAttemptPage): a queue of its own, so that how many pages are in hand is bounded. */
  DispatchSmsPages = '{dispatch-sms-pages}',
  /**
   * Residents' area SMS batches (SendPublicSms): a queue of its own, so that a few batches at a time go to the carrier
   * per dispatcher (PUBLIC_SMS_AT_ONCE) and never take the slots or the circuits the persons' calls need.
   */
  DispatchPublicSms = '{dispatch-public-sms}',
  DispatchVoice = '{dispatch-voice}',
  DispatchWebhook = '{dispatch-webhook}',
  DispatchBroadcast = '{dispatch-broadcast}',
  /** Residents' public warnings: planned right after matching, never waiting for anyone's answer. */
  PublicWarnings = '{public-warnings}',
  Deadlines = '{call-deadlines}',
  /** Notify-only messages (who answered, 熔断 orders and their lifts): sent, never waited for. */
  Notices = '{notices}',
}

/** A queue's name without its hash-tag braces, for logs and metrics. */
export function queueLabel(name: QueueName): string {
  return name.slice(1, -1);
}

export enum JobName {
  MatchWarning = 'MatchWarning',
  MatchChunk = 'MatchChunk',
  SendAttempt = 'SendAttempt',
  /** Personal SMS sent together: up to SMS_PAGE_SIZE attempts, each still claimed, sent and recorded on its own. */
  SendAttemptPage = 'SendAttemptPage',
  CheckCallTasks = 'CheckCallTasks',
  ExpireWarning = 'ExpireWarning',
  CheckOrderTarget = 'CheckOrderTarget',
  SendNotice = 'SendNotice',
  SendEscalationNotice = 'SendEscalationNotice',
  NotifyPeers = 'NotifyPeers',
  PlanPublicWarning = 'PlanPublicWarning',
  SendPublicSms = 'SendPublicSms',
  PlayBroadcast = 'PlayBroadcast',
  SendDailyReport = 'SendDailyReport',
}

export interface JobPayloads {
  [JobName.MatchWarning]: { warningId: string };
  /** The people of one county of a warning whose area spans several (see match_chunks). */
  [JobName.MatchChunk]: { warningId: string; county: string };
  [JobName.SendAttempt]: { attemptId: string };
  [JobName.SendAttemptPage]: { attemptIds: string[] };
  /** The call tasks whose timer of this step falls due at dueAt; step: the ladder rung to run, or 'deadline'. */
  [JobName.CheckCallTasks]: { callTaskIds: string[]; step: CheckStep; dueAt: string };
  [JobName.ExpireWarning]: { warningId: string };
  [JobName.CheckOrderTarget]: { orderTargetId: string; phase: 'ack' | 'execute' };
  [JobName.SendNotice]: { noticeId: string };
  /** A 督办 whose round has gathered: written out as SMS and email notices (then sent by SendNotice). */
  [JobName.SendEscalationNotice]: { escalationNoticeId: string };
  /** Answers of this warning marked `peers_due`: their who-answered notices, one per person for all of them. */
  [JobName.NotifyPeers]: { warningId: string };
  [JobName.PlanPublicWarning]: { warningId: string };
  [JobName.SendPublicSms]: { batchId: string };
  [JobName.PlayBroadcast]: { broadcastJobId: string };
  /** The daily duty report about `date` (YYYY-MM-DD, China time), sent once. */
  [JobName.SendDailyReport]: { date: string };
}

export type JobOutcome = 'done' | 'skipped';

/**
 * Personal SMS per SendAttemptPage job: one BullMQ fetch and completion for this many messages, whose claims and
 * outcomes then fill the store's batches together. Still one provider request per message.
 */
export const SMS_PAGE_SIZE = 50;

/**
 * SMS sends in flight at once per dispatcher, on each path: the single-SMS queue's worker concurrency, and the slots
 * the pages' sends share. One figure, so that a page's messages and single jobs get the same room.
 */
export const SMS_SENDS_AT_ONCE = 300;

/** Which queue a job goes to; dispatch jobs go to their channel's queue (see queueForChannel). */
export const JOB_QUEUE: Record<JobName, QueueName | 'by-channel'> = {
  [JobName.MatchWarning]: QueueName.Matching,
  [JobName.MatchChunk]: QueueName.Matching,
  [JobName.SendAttempt]: 'by-channel',
  [JobName.SendAttemptPage]: QueueName.DispatchSmsPages,
  [JobName.CheckCallTasks]: QueueName.Deadlines,
  [JobName.ExpireWarning]: QueueName.Deadlines,
  [JobName.CheckOrderTarget]: QueueName.Deadlines,
  [JobName.SendNotice]: QueueName.Notices,
  [JobName.SendEscalationNotice]: QueueName.Deadlines,
  [JobName.NotifyPeers]: QueueName.Deadlines,
  [JobName.PlanPublicWarning]: QueueName.PublicWarnings,
  [JobName.SendPublicSms]: QueueName.DispatchPublicSms,
  [JobName.PlayBroadcast]: QueueName.DispatchBroadcast,
  [JobName.SendDailyReport]: QueueName.Notices,
};

const CHANNEL_QUEUES: Record<string, QueueName> = {
  email: QueueName.DispatchEmail,
  sms: QueueName.DispatchSms,
  voice: QueueName.DispatchVoice,
  webhook: QueueName.DispatchWebhook,
};

export function queueForChannel(channel: string): QueueName {
  const queue = CHANNEL_QUEUES[channel];
  if (!queue) {
    throw new Error(`no dispatch queue for channel ${channel}`);
  }
  return queue;
}

export function hasChannelQueue(channel: string): boolean {
  return channel in CHANNEL_QUEUES;
}

/** Deterministic ids: a re-enqueue of the same work is a no-op while the job exists. Never ':' and never all digits. */
export const jobId = {
  match: (warningId: string) => `match-${warningId}`,
  matchChunk: (warningId: string, county: string) => `match-${warningId}-${county}`,
  send: (attemptId: string) => `send-${attemptId}`,
  /** Named by its attempts: the same page enqueued twice (a planning's enqueue retried) is one job. */
  sendPage: (attemptIds: string[]) =>
    `sendp-${createHash('sha1').update(attemptIds.join(',')).digest('hex').slice(0, 24)}`,
  /** One job for the timers of one step that fall due together (a dispatch's tasks share them): named by its tasks. */
  checks: (step: CheckStep, dueAt: Date, callTaskIds: string[]) =>
    `checks-${step === 'deadline' ? 'd' : step === 'reminder' ? 'rem' : `r${step}`}-${dueAt.getTime()}-${createHash('sha1').update(callTaskIds.join(',')).digest('hex').slice(0, 20)}`,
  expire: (warningId: string) => `expire-${warningId}`,
  orderCheck: (orderTargetId: string, phase: 'ack' | 'execute') => `order-${orderTargetId}-${phase}`,
  notice: (noticeId: string) => `notice-${noticeId}`,
  /** Named by the moment the round was last added to: a round still growing is looked at again, once. */
  escalationNotice: (escalationNoticeId: string, gatheredAt: Date) =>
    `dubang-${escalationNoticeId}-${gatheredAt.getTime()}`,
  /** One per warning and gathering window: the answers of the window go out together. */
  notifyPeers: (warningId: string, window: number) => `peers-${warningId}-${window}`,
  publicWarning: (warningId: string) => `public-${warningId}`,
  publicSms: (batchId: string) => `psms-${batchId}`,
  broadcast: (broadcastJobId: string) => `bcast-${broadcastJobId}`,
  /** One per day reported on, whatever the replicas whose cron fired. */
  dailyReport: (date: string) => `daily-report-${date}`,
};

const KEEP = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/**
 * Work that only needs PostgreSQL and Redis (matching, timers, planning) must outlast an outage of either: retries
 * double from 500 ms up to 30 s and go on for about 20 minutes; the sweep takes over after that.
 */
export const OUTLAST_OUTAGE = { attempts: 45, backoff: { type: 'outlast-outage' } };
const OUTAGE_FIRST_DELAY_MS = 500;
const OUTAGE_MAX_DELAY_MS = 30_000;

/** The backoff of OUTLAST_OUTAGE (BullMQ calls a worker's custom strategy for types it does not know). */
export function outlastOutageDelay(attemptsMade: number): number {
  return Math.min(OUTAGE_FIRST_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1), OUTAGE_MAX_DELAY_MS);
}

export const DEFAULT_JOB_OPTIONS: Record<JobName, JobsOptions> = {
  [JobName.MatchWarning]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.MatchChunk]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.SendAttempt]: { attempts: 6, backoff: { type: 'exponential', delay: 2000 }, ...KEEP },
  // A page fails only when it cannot hand its unfinished attempts back to the queue (Redis away).
  [JobName.SendAttemptPage]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.CheckCallTasks]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.ExpireWarning]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.CheckOrderTarget]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.SendNotice]: { attempts: 6, backoff: { type: 'exponential', delay: 2000 }, ...KEEP },
  [JobName.SendEscalationNotice]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.NotifyPeers]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.PlanPublicWarning]: { ...OUTLAST_OUTAGE, ...KEEP },
  [JobName.SendPublicSms]: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  [JobName.PlayBroadcast]: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  // Kept a day: a cron firing again the same day finds the job and adds nothing (daily_reports says sent anyway).
  [JobName.SendDailyReport]: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
};

/** Stall recovery in seconds, not the 30 s defaults (a killed worker's jobs resumed after 10.6 s instead of 61–91 s). */
export const WORKER_OPTIONS = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
  settings: { backoffStrategy: outlastOutageDelay },
};

/** BullMQ priority: lower runs first. Red before orange before yellow before blue. */
export function priorityForLevel(level: number | null): number {
  return level ?? 5;
}
