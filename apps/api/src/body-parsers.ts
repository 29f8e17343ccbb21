import type { IncomingMessage } from 'node:http';
import { json, raw, urlencoded, RequestHandler } from 'express';

export type RawBodyRequest = IncomingMessage & { rawBody?: Buffer };

/** XML stays a Buffer so the CAP parser can honour the prolog's encoding (GB18030 …); every parser is size-limited. */
export function bodyParsers(limit: number): RequestHandler[] {
  return [
    raw({ type: ['application/cap+xml', 'application/xml', 'text/xml'], limit }),
    // Roster spreadsheets (CSV, XLSX) as bytes: the importer decodes GB18030 CSV and reads XLSX itself.
    raw({ type: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], limit }),
    jsonParser(limit),
    urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
  ];
}

/** JSON bodies; the raw bytes are kept for signature checks of provider callbacks (HMAC over the body as sent). */
export const jsonParser = (limit: number): RequestHandler =>
  json({ limit, strict: true, verify: (req, _res, buf) => ((req as RawBodyRequest).rawBody = buf) });
