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
}

export interface CallRecord {
  id: string;
  carrier: Carrier;
  to: string;
  text: string;
  outId: string;
  at: string;
  result: VoiceBehaviour;
}

export interface CarrierEvents {
  smsReceipt(carrier: Carrier, r: { messageId: string; outId: string; phone: string; delivered: boolean; code: string }): void;
  /** A call's end, in each carrier's callback format: answered (with a keypress) or not picked up. */
  voiceReport(carrier: Carrier, r: { callId: string; outId: string; phone: string; result: VoiceBehaviour }): void;
  reply(carrier: Carrier, r: { phone: string; text: string }): void;
}

export type SubmitAnswer =
  | { ok: true; id: string; accepted: Array<{ phone: string; id: string }>; refused: Array<{ phone: string; code: string }> }
  | { ok: false; code: string; message: string };

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * The simulated carrier network behind both providers: per-number inboxes, per-number behaviours set by tests or
 * people (POST /sim/numbers), provider failure modes (POST /sim/providers/:carrier), idempotent submits keyed by
 * OutId / SessionContext, and registered templates rendered like the real platforms do.
 */
export class CarrierNetwork {
  private readonly inbox = new Map<string, SmsRecord[]>();
  private readonly calls = new Map<string, CallRecord[]>();
  private readonly sms = new Map<string, SmsBehaviour>();
  private readonly voice = new Map<string, VoiceBehaviour>();
  private readonly modes: Record<Carrier, ProviderMode> = { alibaba: 'ok', tencent: 'ok' };
  private readonly submitted = new Map<string, SubmitAnswer>();
  private readonly lastCarrier = new Map<string, Carrier>();
  private seq = 0;
  private total = 0;

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

  /** One submit to many numbers; a repeat of the same idempotency key gets the first answer and sends nothing. */
  submitSms(carrier: Carrier, phones: string[], signName: string, text: string, outId: string): SubmitAnswer {
    const key = outId ? `${carrier}:${outId}` : '';
    const previous = key ? this.submitted.get(key) : undefined;
    if (previous) {
      return previous;
    }
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
    if (key) {
      this.submitted.set(key, answer);
    }
    const full = `【${signName}】${text}`;
    const now = Date.now();
    this.total += accepted.length;
    for (const a of accepted) {
      this.keep(this.inbox, a.phone, {
        id: a.id, carrier, to: a.phone, text: full, segments: segments(full), outId, at: new Date(now).toISOString(), atMs: now,
      });
      this.lastCarrier.set(a.phone, carrier);
      const dead = this.sms.get(a.phone) === 'dead';
      const delivered = !dead && this.modes[carrier] !== 'undelivered';
      setTimeout(() => this.events.smsReceipt(carrier, {
        messageId: a.id, outId, phone: a.phone, delivered, code: dead ? 'MN:0001' : delivered ? 'DELIVERED' : 'MK:0005',
      }), this.opts.receiptDelayMs).unref();
    }
    return answer;
  }

  /**
   * A text-to-speech call through either carrier: the handset answers, presses a key, or does not pick up, as set for
   * the number; a repeat of the same idempotency key gets the first answer and calls nobody. `invalid`: not a number.
   */
  call(carrier: Carrier, phone: string, text: string, outId: string): SubmitAnswer {
    const key = outId ? `voice:${carrier}:${outId}` : '';
    const previous = key ? this.submitted.get(key) : undefined;
    if (previous) {
      return previous;
    }
    if (!MOBILE.test(phone) && !/^0\d{9,11}$/.test(phone)) {
      return { ok: false, code: 'invalid', message: '号码格式错误' };
    }
    const id = carrier === 'alibaba' ? `${this.nextId('alibaba').replace('^0', '')}^${String(++this.seq).padStart(10, '0')}` : randomUUID();
    const result = this.voice.get(phone) ?? 'answer';
    this.keep(this.calls, phone, { id, carrier, to: phone, text, outId, at: new Date().toISOString(), result });
    const answer: SubmitAnswer = { ok: true, id, accepted: [{ phone, id }], refused: [] };
    if (key) {
      this.submitted.set(key, answer);
    }
    setTimeout(() => this.events.voiceReport(carrier, { callId: id, outId, phone, result }), this.opts.callDelayMs).unref();
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

  stats(): { messages: number; numbers: number; firstAtMs: number | null; lastAtMs: number | null } {
    let first: number | null = null;
    let last: number | null = null;
    for (const list of this.inbox.values()) {
      for (const m of list) {
        first = first === null || m.atMs < first ? m.atMs : first;
        last = last === null || m.atMs > last ? m.atMs : last;
      }
    }
    return { messages: this.total, numbers: this.inbox.size, firstAtMs: first, lastAtMs: last };
  }

  clear(): void {
    this.inbox.clear();
    this.calls.clear();
    this.submitted.clear();
    this.sms.clear();
    this.voice.clear();
    this.modes.alibaba = 'ok';
    this.modes.tencent = 'ok';
    this.total = 0;
  }

  private nextId(carrier: Carrier): string {
    this.seq += 1;
    return carrier === 'alibaba' ? `${Date.now()}${String(this.seq).padStart(8, '0')}^0` : `2433:${Date.now()}${String(this.seq).padStart(10, '0')}`;
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
