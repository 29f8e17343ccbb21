import { createHash, createHmac } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Request {
  host: string;
  service: string;
  action: string;
  version: string;
  region: string;
  payload: string;
  timestamp: number;
}

/**
 * Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) of a POST with a JSON body: canonical request over
 * content-type and host, string to sign with the credential scope, key derived per date and service.
 */
function tc3Authorization(req: Tc3Request, secretId: string, secretKey: string): string {
  const date = new Date(req.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:application/json; charset=utf-8\nhost:${req.host}\n`,
    'content-type;host',
    sha256(req.payload),
  ].join('\n');
  const scope = `${date}/${req.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(req.timestamp), scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), req.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

/** Every header a Tencent Cloud API 3.0 call needs. */
export function tc3Headers(req: Tc3Request, secretId: string, secretKey: string): Record<string, string> {
  return {
    Authorization: tc3Authorization(req, secretId, secretKey),
    'Content-Type': 'application/json; charset=utf-8',
    Host: req.host,
    'X-TC-Action': req.action,
    'X-TC-Timestamp': String(req.timestamp),
    'X-TC-Version': req.version,
    'X-TC-Region': req.region,
  };
}
