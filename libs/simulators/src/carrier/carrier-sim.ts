import { randomUUID } from 'node:crypto';
import { renderTemplate, toPositional } from '@app/delivery';

export type Carrier = 'alibaba' | 'tencent';
/** How the simulated network treats a number's SMS: delivered, refused at submit (invalid/blacklisted), or accepted then a dead-number receipt. */
export type SmsBehaviour = 'deliver' | 'invalid' | 'blacklisted' | 'dead';
/** How the simulated handset answers a voice call. */
export type VoiceBehaviour = 'press' | 'answer' | 'no_answer';
export type ProviderMode = 'ok' | 'error' | 'undelivered';

export interface SmsRecord {
  id: string;
  carrier: Carrier;
  to: string;
  text: string;
  segments: number;
  outId: string;
  at: string;
  atMs: number;
  /** A submit with an OutId / SessionContext the carrier had taken before: delivered again, as the real ones do. */
  duplicate: boolean;
  /** Whether and when its receipt came (the pull APIs list a message only after its receipt). */
  receipt?: { delivered: boolean; code: string; atMs: number };
}

export interface CallRecord {
  id: string;
  carrier: Carrier;
  to: string;
  text: string;
  outId: string;
  at: string;
  result: VoiceBehaviour;
  duplicate: boolean;
}

export interface CarrierEvents {
  smsReceipt(
    carrier: Carrier,
    r: { messageId: string; outId: string; phone: string; delivered: boolean; code: string },
  ): void;
  /** A call's end, in each carrier's callback format: answered (with a keypress) or not picked up. */
  voiceReport(carrier: Carrier, r: { callId: string; outId: string; phone: string; result: VoiceBehaviour }): void;
  reply(carrier: Carrier, r: { phone: string; text: string }): void;
}

export type SubmitAnswer =
  | {
      ok: true;
      id: string;
      accepted: Array<{ phone: string; id: string }>;
      refused: Array<{ phone: string; code: string }>;
    }
  | { ok: false; code: string; message: string };

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * The simulated carrier network behind both providers: per-number inboxes, per-number behaviours set by tests or
 * people (POST /sim/numbers), provider failure modes (POST /sim/providers/:carrier), and registered templates
 * rendered like the real platforms do. Like the real APIs (Alibaba documents SendSms as not idempotent: the caller
 * must prevent duplicates), a repeated OutId / SessionContext is delivered again; it is marked and counted, so that
 * tests see every duplicate we send.
 */
export class CarrierNetwork {
  private readonly inbox = new Map<string, SmsRecord[]>();
  private readonly calls = new Map<string, CallRecord[]>();
  private readonly sms = new Map<string, SmsBehaviour>();
  private readonly voice = new Map<string, VoiceBehaviour>();
  private readonly modes: Record<Carrier, ProviderMode> = { alibaba: 'ok', tencent: 'ok' };
  /** A slow platform: the message is taken (and in the inbox) at once, the HTTP answer comes this much later. */
  private readonly answerDelays: Record<Carrier, number> = { alibaba: 0, tencent: 0 };
  /**
   * A backlogged platform: a submit (SMS or call) is taken this much after it arrives, whether or not the caller is
   * still waiting for the answer; the query APIs answer at once, and list it only once taken.
   */
  private readonly takeDelays: Record<Carrier, number> = { alibaba: 0, tencent: 0 };
  private readonly seenKeys = new Set<string>();
  private duplicates = 0;
  private readonly lastCarrier = new Map<string, Carrier>();
  private seq = 0;
  private total = 0;
  /** API requests per carrier, kind and second of this clock, as a carrier counts them against a caller's TPS. */
  private readonly perSecond = new Map<string, number>();

  constructor(
    private readonly templates: Record<Carrier, Map<string, string>>,
    private readonly events: CarrierEvents,
    readonly opts: { receiptDelayMs: number; callDelayMs: number } = { receiptDelayMs: 100, callDelayMs: 200 },
  ) {}

  setNumber(phone: string, b: { sms?: SmsBehaviour; voice?: VoiceBehaviour }): void {
    if (b.sms) {
      this.sms.set(phone, b.sms);
    }
    if (b.voice) {
      this.voice.set(phone, b.voice);
    }
  }

  setMode(carrier: Carrier, mode: ProviderMode): void {
    this.modes[carrier] = mode;
  }

  mode(carrier: Carrier): ProviderMode {
    return this.modes[carrier];
  }

  setAnswerDelay(carrier: Carrier, ms: number): void {
    this.answerDelays[carrier] = ms;
  }

  answerDelay(carrier: Carrier): number {
    return this.answerDelays[carrier];
  }

  setTakeDelay(carrier: Carrier, ms: number): void {
    this.takeDelays[carrier] = ms;
  }

  takeDelay(carrier: Carrier): number {
    return this.takeDelays[carrier];
  }

  /** Renders a registered template: by name (Alibaba) or by position (Tencent). */
  render(carrier: Carrier, code: string, params: Record<string, string> | string[]): string | null {
    const text = this.templates[carrier].get(code);
    if (text === undefined) {
      return null;
    }
    if (Array.isArray(params)) {
      return toPositional(text).text.replace(/\{(\d+)\}/g, (_m, n: string) => params[Number(n) - 1] ?? '');
    }
    return renderTemplate(text, params);
  }

  /** One submit to many numbers; a repeat of an idempotency key is sent again (and counted as a duplicate). */
  submitSms(carrier: Carrier, phones: string[], signName: string, text: string, outId: string): SubmitAnswer {
    this.countRequest(carrier, 'sms');
    const duplicate = this.seen(outId);
    const batchId = this.nextId(carrier);
    const accepted: Array<{ phone: string; id: string }> = [];
    const refused: Array<{ phone: string; code: string }> = [];
    for (const phone of phones) {
      const b = this.sms.get(phone) ?? 'deliver';
      if (!MOBILE.test(phone) || b === 'invalid') {
        refused.push({ phone, code: 'invalid' });
      } else if (b === 'blacklisted') {
        refused.push({ phone, code: 'blacklisted' });
      } else {
        accepted.push({ phone, id: carrier === 'alibaba' ? batchId : this.nextId(carrier) });
      }
    }
    const answer: SubmitAnswer = { ok: true, id: batchId, accepted, refused };
    this.duplicates += duplicate ? accepted.length : 0;
    const full = `【${signName}】${text}`;
    const parts = segments(full);
    const now = Date.now();
    this.total += accepted.length;
    const receipts: Array<() => void> = [];
    for (const a of accepted) {
      const record: SmsRecord = {
        id: a.id,
        carrier,
        to: a.phone,
        text: full,
        segments: parts,
        outId,
        at: new Date(now).toISOString(),
        atMs: now,
        duplicate,
      };
      this.keep(this.inbox, a.phone, record);
      this.lastCarrier.set(a.phone, carrier);
      const dead = this.sms.get(a.phone) === 'dead';
      const delivered = !dead && this.modes[carrier] !== 'undelivered';
      const code = dead ? 'MN:0001' : delivered ? 'DELIVERED' : 'MK:0005';
      receipts.push(() => {
        record.receipt = { delivered, code, atMs: Date.now() };
        this.events.smsReceipt(carrier, { messageId: a.id, outId, phone: a.phone, delivered, code });
      });
    }
    // One timer for the submit's receipts: a 1,000-number area batch set 1,000 timers.
    setTimeout(() => receipts.forEach((r) => r()), this.opts.receiptDelayMs).unref();
    return answer;
  }

  /**
   * A text-to-speech call through either carrier: the handset answers, presses a key, or does not pick up, as set for
   * the number; a repeat of an idempotency key calls again (a duplicate, counted). `invalid`: not a number.
   */
  call(carrier: Carrier, phone: string, text: string, outId: string): SubmitAnswer {
    this.countRequest(carrier, 'voice');
    if (!MOBILE.test(phone) && !/^0\d{9,11}$/.test(phone)) {
      return { ok: false, code: 'invalid', message: '号码格式错误' };
    }
    const id =
      carrier === 'alibaba'
        ? `${this.nextId('alibaba').replace('^0', '')}^${String(++this.seq).padStart(10, '0')}`
        : randomUUID();
    const result = this.voice.get(phone) ?? 'answer';
    const duplicate = this.seen(outId);
    this.duplicates += duplicate ? 1 : 0;
    this.keep(this.calls, phone, {
      id,
      carrier,
      to: phone,
      text,
      outId,
      at: new Date().toISOString(),
      result,
      duplicate,
    });
    const answer: SubmitAnswer = { ok: true, id, accepted: [{ phone, id }], refused: [] };
    setTimeout(
      () => this.events.voiceReport(carrier, { callId: id, outId, phone, result }),
      this.opts.callDelayMs,
    ).unref();
    return answer;
  }

  /** A handset reply, sent back through the carrier that last delivered to that number. */
  reply(phone: string, text: string): Carrier {
    const carrier = this.lastCarrier.get(phone) ?? 'alibaba';
    this.events.reply(carrier, { phone, text });
    return carrier;
  }

  messages(to?: string, since = 0): SmsRecord[] {
    const list = to ? (this.inbox.get(to) ?? []) : [...this.inbox.values()].flat();
    return list.filter((m) => m.atMs > since);
  }

  callsTo(to?: string): CallRecord[] {
    return to ? (this.calls.get(to) ?? []) : [...this.calls.values()].flat();
  }

  /** What the carrier's query APIs show of one number: its messages through that carrier since a moment. */
  sentTo(carrier: Carrier, phone: string, sinceMs: number): SmsRecord[] {
    return (this.inbox.get(phone) ?? []).filter((m) => m.carrier === carrier && m.atMs >= sinceMs);
  }

  private countRequest(carrier: Carrier, kind: 'sms' | 'voice'): void {
    const key = `${carrier}-${kind}:${Math.floor(Date.now() / 1000)}`;
    this.perSecond.set(key, (this.perSecond.get(key) ?? 0) + 1);
  }

  /** The most requests in one second per carrier and kind (`alibaba-sms`, `tencent-voice` …): what a TPS limit sees. */
  peakPerSecond(): Record<string, number> {
    const peak: Record<string, number> = {};
    for (const [key, n] of this.perSecond) {
      const name = key.slice(0, key.indexOf(':'));
      peak[name] = Math.max(peak[name] ?? 0, n);
    }
    return peak;
  }

  stats(): {
    messages: number;
    numbers: number;
    duplicates: number;
    firstAtMs: number | null;
    lastAtMs: number | null;
    peakPerSecond: Record<string, number>;
  } {
    let first: number | null = null;
    let last: number | null = null;
    for (const list of this.inbox.values()) {
      for (const m of list) {
        first = first === null || m.atMs < first ? m.atMs : first;
        last = last === null || m.atMs > last ? m.atMs : last;
      }
    }
    return {
      messages: this.total,
      numbers: this.inbox.size,
      duplicates: this.duplicates,
      firstAtMs: first,
      lastAtMs: last,
      peakPerSecond: this.peakPerSecond(),
    };
  }

  clear(): void {
    this.inbox.clear();
    this.calls.clear();
    this.seenKeys.clear();
    this.duplicates = 0;
    this.perSecond.clear();
    this.sms.clear();
    this.voice.clear();
    this.modes.alibaba = 'ok';
    this.modes.tencent = 'ok';
    this.answerDelays.alibaba = 0;
    this.answerDelays.tencent = 0;
    this.total = 0;
  }

  private seen(outId: string): boolean {
    if (!outId) {
      return false;
    }
    const before = this.seenKeys.has(outId);
    this.seenKeys.add(outId);
    return before;
  }

  private nextId(carrier: Carrier): string {
    this.seq += 1;
    return carrier === 'alibaba'
      ? `${Date.now()}${String(this.seq).padStart(8, '0')}^0`
      : `2433:${Date.now()}${String(this.seq).padStart(10, '0')}`;
  }

  private keep<T>(map: Map<string, T[]>, phone: string, item: T): void {
    const list = map.get(phone) ?? [];
    list.push(item);
    map.set(phone, list);
  }
}

/** Carrier-side count (UCS-2 70/67, else 160/153), written here apart from ours. */
function segments(text: string): number {
  const ascii = [...text].every((c) => c.charCodeAt(0) < 128);
  const n = text.length;
  return ascii ? (n <= 160 ? 1 : Math.ceil(n / 153)) : n <= 70 ? 1 : Math.ceil(n / 67);
}

export const requestId = (): string => randomUUID().toUpperCase();

/** What a provider API front answers over HTTP. */
export interface Answer {
  status: number;
  body: unknown;
}

/** A JSON parameter as the platforms read it: anything unreadable is as if absent. */
export const parseJson = <T>(s: string | undefined, fallback: T): T => {
  try {
    return s ? (JSON.parse(s) as T) : fallback;
  } catch {
    return fallback;
  }
};
