import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** `service`: the one the credential scope names (sms, vms …), for the caller to match against the endpoint's. */
export type Tc3Check = { ok: true; service: string } | { ok: false; code: string; message: string };

const hex = (data: string) => createHash('sha256').update(data).digest('hex');
const mac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * The carrier side of TC3-HMAC-SHA256, written apart from our signer: parse the Authorization header, rebuild
 * the canonical request from the headers actually received, and compare. Timestamps older than 5 min fail.
 */
export function verifyTc3(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  secrets: Record<string, string>,
  now = Date.now(),
): Tc3Check {
  const h = (name: string) => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : (v ?? '');
  };
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(
      h('authorization'),
    );
  if (!m) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated.',
    };
  }
  const [, secretId, date, service, signedHeaders, signature] = m;
  const secretKey = secrets[secretId];
  if (!secretKey) {
    return { ok: false, code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
  }
  const timestamp = Number(h('x-tc-timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > 300) {
    return { ok: false, code: 'AuthFailure.SignatureExpire', message: 'Signature expired.' };
  }
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureFailure',
      message: 'Credential date does not match X-TC-Timestamp.',
    };
  }
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${h(n).trim().toLowerCase()}\n`).join('');
  const canonical = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hex(body)}`;
  const scope = `${date}/${service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${hex(canonical)}`;
  const key = mac(mac(mac('TC3' + secretKey, date), service), 'tc3_request');
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated.',
    };
  }
  return { ok: true, service };
}
