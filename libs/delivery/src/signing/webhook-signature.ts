import { createHmac } from 'node:crypto';

/** Headers of a signed webhook: HMAC-SHA256 over `${timestamp}.${body}`; receivers refuse stale timestamps. */
export const WEBHOOK_HEADERS = {
  timestamp: 'x-jiaoying-timestamp',
  signature: 'x-jiaoying-signature',
  idempotencyKey: 'x-jiaoying-idempotency-key',
} as const;

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex')}`;
}

/** DingTalk custom robot "加签": sign = Base64(HmacSHA256(secret, timestampMs + "\n" + secret)), URL-encoded. */
export function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestampMs}&sign=${encodeURIComponent(sign)}`;
}
