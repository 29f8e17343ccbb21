import type { ComposedText } from '../content/compose';
import type { Carrier } from '../content/templates';

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
  /** Passed as OutId / SessionContext; the simulator answers a repeat with the first answer. */
  idempotencyKey: string;
}

export interface SmsProvider {
  readonly name: string;
  readonly carrier: Carrier;
  send(req: SmsSend): Promise<ProviderResult>;
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

export const providerDown = (code: string, error: string): ProviderFailure => ({ ok: false, kind: 'provider', code, error });

/** A fetch with a timeout: network errors mean nothing was sent (provider), a timeout means we cannot tell (uncertain). */
export async function callProvider<T>(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (status: number, body: T) => ProviderResult,
): Promise<ProviderResult> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return { ok: false, kind: 'uncertain', code: 'Timeout', error: `no answer within ${timeoutMs} ms` };
    }
    return providerDown('NetworkError', String((err.cause as Error | undefined)?.message ?? err.message));
  }
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    return providerDown(`HTTP${res.status}`, `unreadable answer (HTTP ${res.status}): ${text.slice(0, 120)}`);
  }
  return read(res.status, body);
}

/** Only the variables a template uses, in the form carriers take them. */
export function usedParams(message: ComposedText, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, (message.params as Record<string, string | undefined>)[n] ?? '']));
}
