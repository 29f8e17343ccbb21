import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The carrier side of Alibaba Cloud's RPC signature, written apart from our signer on purpose: rebuild the
 * string to sign from the received parameters and compare. Also checks the timestamp window and nonce reuse.
 */
export type AlibabaCheck = { ok: true } | { ok: false; code: string; message: string; status: number };

function rfc3986(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function verifyAlibabaRequest(
  method: string,
  params: Record<string, string>,
  secrets: Record<string, string>,
  seenNonces: Set<string>,
  now = Date.now(),
): AlibabaCheck {
  const secret = secrets[params.AccessKeyId ?? ''];
  if (!secret) {
    return {
      ok: false,
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
      message: 'Specified access key is not found.',
    };
  }
  if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0' || !params.Signature) {
    return {
      ok: false,
      status: 400,
      code: 'MissingSignature',
      message: 'Signature, SignatureMethod 1.0 HMAC-SHA1 required.',
    };
  }
  const at = Date.parse(params.Timestamp ?? '');
  if (!Number.isFinite(at) || Math.abs(now - at) > 15 * 60_000) {
    return {
      ok: false,
      status: 400,
      code: 'InvalidTimeStamp.Expired',
      message: 'Specified time stamp or date value is expired.',
    };
  }
  const pairs = Object.entries(params).filter(([k]) => k !== 'Signature');
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const toSign = [method.toUpperCase(), rfc3986('/'), rfc3986(query)].join('&');
  const expected = createHmac('sha1', `${secret}&`).update(toSign).digest();
  const given = Buffer.from(params.Signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      status: 400,
      code: 'SignatureDoesNotMatch',
      message: 'Specified signature is not matched with our calculation.',
    };
  }
  const nonce = `${params.AccessKeyId}:${params.SignatureNonce}`;
  if (!params.SignatureNonce || seenNonces.has(nonce)) {
    return {
      ok: false,
      status: 400,
      code: 'SignatureNonceUsed',
      message: 'Specified signature nonce was used already.',
    };
  }
  seenNonces.add(nonce);
  if (seenNonces.size > 500_000) {
    seenNonces.clear();
  }
  return { ok: true };
}
