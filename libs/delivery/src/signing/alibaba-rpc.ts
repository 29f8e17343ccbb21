import { createHmac, randomUUID } from 'node:crypto';

/** RFC 3986 encoding as Alibaba Cloud's RPC signature wants it: space → %20, '*' → %2A, '~' kept. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalized query: every parameter but Signature, sorted by name, encoded, joined with '&'. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
}

/** Signature = Base64(HMAC-SHA1(secret + '&', METHOD + '&' + enc('/') + '&' + enc(canonicalQuery))). */
export function signRpc(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** The common RPC parameters plus the action's own, signed; ready to send as a form body. */
export function signedRpcParams(
  action: string,
  version: string,
  actionParams: Record<string, string>,
  key: { accessKeyId: string; accessKeySecret: string },
  now: Date,
): Record<string, string> {
  const params: Record<string, string> = {
    AccessKeyId: key.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: 'cn-hangzhou',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: version,
    ...actionParams,
  };
  return { ...params, Signature: signRpc('POST', params, key.accessKeySecret) };
}
