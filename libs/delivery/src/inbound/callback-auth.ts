import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers the simulator (and any relay we control) signs callbacks with. */
export const CALLBACK_HEADERS = { timestamp: 'x-jiaoying-timestamp', signature: 'x-jiaoying-signature' } as const;
const CALLBACK_WINDOW_S = 300;

export function signCallback(secret: string, timestampS: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Alibaba's and Tencent's HTTP pushes carry no signature of their own; their callback URL is configured with
 * ?token=<secret>, compared in constant time. The simulator signs instead (HMAC-SHA256 over `timestamp.body`,
 * 5-minute window), so a forged or replayed callback is refused either way.
 */
export function callbackAuthentic(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  token: string | undefined,
  nowS: number,
): boolean {
  if (token !== undefined) {
    return same(token, secret);
  }
  const ts = Number(headers[CALLBACK_HEADERS.timestamp]);
  const sig = headers[CALLBACK_HEADERS.signature];
  if (!Number.isInteger(ts) || typeof sig !== 'string' || Math.abs(nowS - ts) > CALLBACK_WINDOW_S) {
    return false;
  }
  return same(sig, signCallback(secret, ts, rawBody));
}
