import { json, raw, urlencoded, RequestHandler } from 'express';

/** XML stays a Buffer so the CAP parser can honour the prolog's encoding (GB18030 …); every parser is size-limited. */
export function bodyParsers(limit: number): RequestHandler[] {
  return [
    raw({ type: ['application/cap+xml', 'application/xml', 'text/xml'], limit }),
    json({ limit, strict: true }),
    urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
  ];
}
