import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of this process (prom-client), served at /metrics by every app. Counters and histograms are
 * moved where the event happens (the libs call the functions below); gauges that describe shared state (queue depth,
 * circuit breakers) are read when Prometheus scrapes. Names and labels are listed in docs/operations.md, and the
 * Grafana dashboard (deploy/grafana/jiaoying.json) queries only these.
 */
export const metricsRegistry = new Registry();

/** What the sender recorded for a message: taken by the provider (accepted; delivered for email), failed, cancelled. */
export type MessageOutcome = 'accepted' | 'delivered' | 'failed' | 'cancelled';
/** Whose message: a call's (waits for an answer), a notice (notify-only), or area SMS to residents (one per number). */
export type MessageKind = 'call' | 'notice' | 'area';

const messages = new Counter({
  name: 'jiaoying_messages_total',
  help: "Messages by kind (call, notice, area), channel, provider and the sender's outcome (accepted, delivered, failed, cancelled)",
  labelNames: ['kind', 'channel', 'provider', 'outcome'] as const,
  registers: [metricsRegistry],
});

const receipts = new Counter({
  name: 'jiaoying_message_receipts_total',
  help: "Carriers' delivery receipts applied to messages of calls, by channel, provider and status (delivered, undelivered)",
  labelNames: ['channel', 'provider', 'status'] as const,
  registers: [metricsRegistry],
});

const answers = new Counter({
  name: 'jiaoying_answers_total',
  help: 'First answers to calls (叫应), by how they came (link, sms, voice …), the answer, and whether after escalation',
  labelNames: ['method', 'response', 'late'] as const,
  registers: [metricsRegistry],
});

/** Seconds from planning a call to its first answer: up to hours for a silent village at night. */
const answerSeconds = new Histogram({
  name: 'jiaoying_answer_seconds',
  help: 'Time from a call being planned to its first answer, in seconds',
  labelNames: ['late'] as const,
  buckets: [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
  registers: [metricsRegistry],
});

const escalations = new Counter({
  name: 'jiaoying_escalations_total',
  help: 'Calls escalated (督办) at their answer deadline, by reason (no_ack, unreachable)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

const escalationLateness = new Histogram({
  name: 'jiaoying_escalation_lateness_seconds',
  help: 'How long after its answer deadline a silent call was escalated, in seconds',
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers: [metricsRegistry],
});

const breakerOpened = new Counter({
  name: 'jiaoying_provider_breaker_opened_total',
  help: 'Provider circuits this process opened, by its own calls (own) or after another dispatcher (shared)',
  labelNames: ['provider', 'by'] as const,
  registers: [metricsRegistry],
});

const sweeps = new Counter({
  name: 'jiaoying_sweeps_total',
  help: 'Stranded-work sweeps this process ran',
  registers: [metricsRegistry],
});

const sweepFound = new Counter({
  name: 'jiaoying_sweep_found_total',
  help: 'Work the sweep found stranded in PostgreSQL (rows older than SWEEP_STALE_MS), by kind',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

const recoveries = new Counter({
  name: 'jiaoying_recovery_actions_total',
  help: 'Recovery actions: job_rerun, claim_reset, attempt_reconciled, notice_reconciled, public_sms_reconciled, outcome_rewritten, email_resent_after_handover, timer_restored',
  labelNames: ['action'] as const,
  registers: [metricsRegistry],
});

export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

type BreakerSource = () => Array<{ provider: string; state: keyof typeof BREAKER_STATE_VALUE }>;

const breakerSources = new Set<BreakerSource>();

new Gauge({
  name: 'jiaoying_provider_breaker_state',
  help: 'Circuit of each provider this process sends through: 0 closed, 1 half-open (probing), 2 open',
  labelNames: ['provider'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const source of breakerSources) {
      for (const b of source()) {
        this.set({ provider: b.provider }, BREAKER_STATE_VALUE[b.state]);
      }
    }
  },
});

export function countMessage(
  channel: string,
  provider: string | null,
  outcome: MessageOutcome,
  kind: MessageKind = 'call',
  n = 1,
): void {
  messages.inc({ kind, channel, provider: provider ?? 'none', outcome }, n);
}

export function countReceipt(channel: string, provider: string, delivered: boolean): void {
  receipts.inc({ channel, provider, status: delivered ? 'delivered' : 'undelivered' });
}

export function countAnswer(method: string, response: string, late: boolean, secondsSincePlanned: number): void {
  answers.inc({ method, response, late: String(late) });
  answerSeconds.observe({ late: String(late) }, Math.max(0, secondsSincePlanned));
}

export function countEscalation(reason: string, secondsLate: number): void {
  escalations.inc({ reason });
  escalationLateness.observe(Math.max(0, secondsLate));
}

export function countBreakerOpened(provider: string, by: 'own' | 'shared'): void {
  breakerOpened.inc({ provider, by });
}

/** One sweep and what it found, by kind (a kind found 0 times still shows, at 0). */
export function countSweep(found: Record<string, number>): void {
  sweeps.inc();
  for (const [kind, n] of Object.entries(found)) {
    sweepFound.inc({ kind }, n);
  }
}

export function countRecoveryMetric(action: string, n: number): void {
  recoveries.inc({ action }, n);
}

/** The circuits a process holds (the dispatcher's ProviderHealth), read at each scrape; returns the way to stop. */
export function reportBreakers(source: BreakerSource): () => void {
  breakerSources.add(source);
  return () => breakerSources.delete(source);
}

let defaultsOn = false;

/** Node's default metrics (heap, event-loop lag, GC, CPU) and the app's name on every series; once per process. */
export function startProcessMetrics(app: string): void {
  metricsRegistry.setDefaultLabels({ app });
  if (!defaultsOn) {
    defaultsOn = true;
    collectDefaultMetrics({ register: metricsRegistry });
  }
}
