import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';

/** Queue names (the Redis key part). Deadlines have a queue of their own so a fan-out never delays them. */
export enum QueueName {
  Matching = 'warning-matching',
  DispatchEmail = 'dispatch-email',
  DispatchSms = 'dispatch-sms',
  DispatchVoice = 'dispatch-voice',
  DispatchWebhook = 'dispatch-webhook',
  DispatchBroadcast = 'dispatch-broadcast',
  /** Residents' public warnings: planned right after matching, never waiting for anyone's answer. */
  PublicWarnings = 'public-warnings',
  Deadlines = 'call-deadlines',
  /** Notify-only messages (who answered, 熔断 orders and their lifts): sent, never waited for. */
  Notices = 'notices',
}

export enum JobName {
  MatchWarning = 'MatchWarning',
  SendAttempt = 'SendAttempt',
  CheckCallTasks = 'CheckCallTasks',
  ExpireWarning = 'ExpireWarning',
  CheckOrderTarget = 'CheckOrderTarget',
  SendNotice = 'SendNotice',
  PlanPublicWarning = 'PlanPublicWarning',
  SendPublicSms = 'SendPublicSms',
  PlayBroadcast = 'PlayBroadcast',
}

export interface JobPayloads {
  [JobName.MatchWarning]: { warningId: string };
  [JobName.SendAttempt]: { attemptId: string };
  /** The call tasks whose timer of this step falls due at dueAt; step: the ladder rung to run, or 'deadline'. */
  [JobName.CheckCallTasks]: { callTaskIds: string[]; step: number | 'deadline'; dueAt: string };
  [JobName.ExpireWarning]: { warningId: string };
  [JobName.CheckOrderTarget]: { orderTargetId: string; phase: 'ack' | 'execute' };
  [JobName.SendNotice]: { noticeId: string };
  [JobName.PlanPublicWarning]: { warningId: string };
  [JobName.SendPublicSms]: { batchId: string };
  [JobName.PlayBroadcast]: { broadcastJobId: string };
}

export type JobOutcome = 'done' | 'skipped';

/** Which queue a job goes to; dispatch jobs go to their channel's queue (see queueForChannel). */
export const JOB_QUEUE: Record<JobName, QueueName | 'by-channel'> = {
  [JobName.MatchWarning]: QueueName.Matching,
  [JobName.SendAttempt]: 'by-channel',
  [JobName.CheckCallTasks]: QueueName.Deadlines,
  [JobName.ExpireWarning]: QueueName.Deadlines,
  [JobName.CheckOrderTarget]: QueueName.Deadlines,
  [JobName.SendNotice]: QueueName.Notices,
  [JobName.PlanPublicWarning]: QueueName.PublicWarnings,
  [JobName.SendPublicSms]: QueueName.DispatchSms,
  [JobName.PlayBroadcast]: QueueName.DispatchBroadcast,
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
  send: (attemptId: string) => `send-${attemptId}`,
  /** One job for the timers of one step that fall due together (a dispatch's tasks share them): named by its tasks. */
  checks: (step: number | 'deadline', dueAt: Date, callTaskIds: string[]) =>
    `checks-${step === 'deadline' ? 'd' : `r${step}`}-${dueAt.getTime()}-${createHash('sha1').update(callTaskIds.join(',')).digest('hex').slice(0, 20)}`,
  expire: (warningId: string) => `expire-${warningId}`,
  orderCheck: (orderTargetId: string, phase: 'ack' | 'execute') => `order-${orderTargetId}-${phase}`,
  notice: (noticeId: string) => `notice-${noticeId}`,
  publicWarning: (warningId: string) => `public-${warningId}`,
  publicSms: (batchId: string) => `psms-${batchId}`,
  broadcast: (broadcastJobId: string) => `bcast-${broadcastJobId}`,
};

const KEEP = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

export const DEFAULT_JOB_OPTIONS: Record<JobName, JobsOptions> = {
  [JobName.MatchWarning]: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  [JobName.SendAttempt]: { attempts: 6, backoff: { type: 'exponential', delay: 2000 }, ...KEEP },
  [JobName.CheckCallTasks]: { attempts: 10, backoff: { type: 'exponential', delay: 500 }, ...KEEP },
  [JobName.ExpireWarning]: { attempts: 10, backoff: { type: 'exponential', delay: 500 }, ...KEEP },
  [JobName.CheckOrderTarget]: { attempts: 10, backoff: { type: 'exponential', delay: 500 }, ...KEEP },
  [JobName.SendNotice]: { attempts: 6, backoff: { type: 'exponential', delay: 2000 }, ...KEEP },
  [JobName.PlanPublicWarning]: { attempts: 10, backoff: { type: 'exponential', delay: 500 }, ...KEEP },
  [JobName.SendPublicSms]: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  [JobName.PlayBroadcast]: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
};

/** Stall recovery in seconds, not the 30 s defaults (PERFORMANCE.md B7: 10.6 s vs 61–91 s recovery). */
export const WORKER_OPTIONS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 };

/** BullMQ priority: lower runs first. Red before orange before yellow before blue. */
export function priorityForLevel(level: number | null): number {
  return level ?? 5;
}
