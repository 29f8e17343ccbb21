import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Clock } from '@app/common';
import type { ComposedText } from '../content/compose';
import type { Carrier, MessageTemplates } from '../content/templates';

/**
 * What a provider said. `recipient`: this number cannot be reached this way (invalid or blacklisted) — permanent.
 * `provider`: the provider refused or is down, nothing was sent — try the next provider. `uncertain`: no answer
 * (timeout), it may have been sent — retry later with the same idempotency key. `retry`: per-number flow control.
 */
export type ProviderFailure =
  | { ok: false; kind: 'recipient'; code: string; error: string; invalidNumber: boolean }
  | { ok: false; kind: 'provider' | 'uncertain' | 'retry'; code: string; error: string };

export type ProviderResult = { ok: true; messageIds: string[]; rejected: number } | ProviderFailure;

export interface SmsSend {
  phones: string[];
  message: ComposedText;
  signName: string;
  /** Passed as OutId / SessionContext, so that the provider's query APIs can find it; a repeat is delivered again. */
  idempotencyKey: string;
}

/** Did this provider take the message with our idempotency key for this number, since then? */
export interface SentQuery {
  phone: string;
  idempotencyKey: string;
  since: Date;
}

export interface SmsProvider {
  readonly name: string;
  readonly carrier: Carrier;
  send(req: SmsSend): Promise<ProviderResult>;
  /** Asks the provider's query API; used before sending again what a crashed sender may have sent. */
  findSent(q: SentQuery): Promise<SentLookup>;
}

/** What a provider's query API said: taken (with its message id where the API gives one) or not; or not asked. */
export type SentLookup = { ok: true; taken: boolean; messageId: string | null } | ProviderFailure;

/** What the SMS providers' query APIs said of one message: taken (by which), not taken by any, or not known. */
export type TakenAnswer =
  | { taken: true; provider: string; messageId: string | null }
  | { taken: false }
  /** None has it, but at least one could not be asked (no answer, refused): a send now may be a second one. */
  | { taken: 'unknown'; error: string };

/** Asks each SMS provider in turn whether it took a message with our key for this number: the first that has it. */
export async function askSmsProviders(providers: SmsProvider[], q: SentQuery): Promise<TakenAnswer> {
  let unanswered: string | null = null;
  for (const p of providers) {
    const found = await p.findSent(q);
    if (found.ok && found.taken) {
      return { taken: true, provider: p.name, messageId: found.messageId };
    }
    if (!found.ok) {
      unanswered ??= `${p.name} ${found.code}: ${found.error}`;
    }
  }
  return unanswered ? { taken: 'unknown', error: unanswered } : { taken: false };
}

/**
 * Asks each SMS provider in turn whether it took a message with our key for this number: the first that has it, or
 * null when none has it or none could be asked (then the caller sends: better twice than never).
 */
export async function findTakenSms(
  providers: SmsProvider[],
  q: SentQuery,
): Promise<{ provider: string; messageId: string | null } | null> {
  const a = await askSmsProviders(providers, q);
  return a.taken === true ? { provider: a.provider, messageId: a.messageId } : null;
}

/** From a query read as a ProviderResult (a found message's id as its one messageId, '' when the API gives none). */
export function sentLookup(r: ProviderResult): SentLookup {
  return r.ok ? { ok: true, taken: r.messageIds.length > 0, messageId: r.messageIds[0] || null } : r;
}

export interface VoiceCall {
  phone: string;
  message: ComposedText;
  idempotencyKey: string;
  playTimes: number;
}

export interface VoiceProvider {
  readonly name: string;
  readonly carrier: Carrier;
  call(req: VoiceCall): Promise<ProviderResult>;
}

/** What every carrier adapter holds: its settings (named as recorded on attempts), the templates' carrier codes, the clock that signs. */
export abstract class CarrierProvider<S extends { name: string }> {
  abstract readonly carrier: Carrier;
  readonly name: string;

  constructor(
    protected readonly s: S,
    protected readonly templates: MessageTemplates,
    protected readonly clock: Clock,
  ) {
    this.name = s.name;
  }
}

export const providerDown = (code: string, error: string): ProviderFailure => ({
  ok: false,
  kind: 'provider',
  code,
  error,
});

export interface ProviderRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * Keep-alive agents for provider calls. Each dispatcher sends thousands of requests a second to the same few hosts:
 * Node's fetch (undici behind WHATWG streams, an AbortSignal.timeout per call) cost about half the dispatcher's CPU
 * per message, where a plain http.request over a reused socket costs a fraction (measured on the per-person fan-out).
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 512, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 512, scheduling: 'lifo' }),
};

/** Sockets idle longer than this are not reused (servers close idle keep-alive connections after ~5 s). */
const FREE_SOCKET_MS = 4_000;
// One 'timeout' listener per socket, added when it is first free: setTimeout(ms, cb) would add another listener at
// every reuse (Node warned of a leak at eleven).
const idleWatched = new WeakSet<Socket>();
for (const agent of Object.values(agents)) {
  agent.on('free', (socket: Socket) => {
    if (!idleWatched.has(socket)) {
      idleWatched.add(socket);
      socket.on('timeout', () => socket.destroy());
    }
    socket.setTimeout(FREE_SOCKET_MS);
  });
}

type Transport =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string; written: boolean };

function post(url: string, init: ProviderRequest, timeoutMs: number): Promise<Transport> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    let settled = false;
    const done = (t: Transport) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(t);
      }
    };
    const body = Buffer.from(init.body, 'utf8');
    const req = (secure ? https : http).request(
      {
        protocol: u.protocol,
        hostname: u.hostname,
        port: u.port || (secure ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: init.method,
        headers: { ...init.headers, 'content-length': String(body.length) },
        agent: agents[secure ? 'https:' : 'http:'],
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({ kind: 'answer', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => done({ kind: 'network', message: e.message, written: true }));
      },
    );
    // A timeout means the request may have been taken: the caller cannot tell whether it was sent.
    const timer = setTimeout(() => {
      done({ kind: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('socket', (socket: Socket) => socket.setTimeout(0));
    // 'finish': the whole request left for the provider. A connection lost after it (reset, hang-up) may have been
    // taken like a timeout; one lost before it (refused, unreachable) sent nothing.
    let written = false;
    req.on('finish', () => (written = true));
    req.on('error', (e) => done({ kind: 'network', message: e.message, written }));
    req.end(body);
  });
}

/**
 * A POST with a timeout. A network error before the request was written means nothing was sent (provider); a timeout,
 * or a connection lost after the request was written, means we cannot tell (uncertain: reconciled, never resent blind).
 */
export async function callProvider<T>(
  url: string,
  init: ProviderRequest,
  timeoutMs: number,
  read: (status: number, body: T) => ProviderResult,
): Promise<ProviderResult> {
  const res = await post(url, init, timeoutMs);
  if (res.kind === 'timeout') {
    return { ok: false, kind: 'uncertain', code: 'Timeout', error: `no answer within ${timeoutMs} ms` };
  }
  if (res.kind === 'network' && res.written) {
    return {
      ok: false,
      kind: 'uncertain',
      code: 'ConnectionLost',
      error: `connection lost after sending: ${res.message}`,
    };
  }
  if (res.kind === 'network') {
    return providerDown('NetworkError', res.message);
  }
  let body: T;
  try {
    body = JSON.parse(res.text) as T;
  } catch {
    return providerDown(`HTTP${res.status}`, `unreadable answer (HTTP ${res.status}): ${res.text.slice(0, 120)}`);
  }
  return read(res.status, body);
}

/** Only the variables a template uses, in the form carriers take them. */
export function usedParams(message: ComposedText, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, (message.params as Record<string, string | undefined>)[n] ?? '']));
}
