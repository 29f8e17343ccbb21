import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { SmtpSink } from './smtp-sink';

/**
 * The simulators' read-back API for people and tests: GET /mail?to=…&since=… lists captured mail,
 * GET /mail/latest?to=… the newest one, DELETE /mail clears.
 */
export function simulatorHttp(sink: SmtpSink): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const to = url.searchParams.get('to') ?? undefined;
    const since = Number(url.searchParams.get('since') ?? 0) || undefined;
    if (req.method === 'GET' && url.pathname === '/mail') {
      return send(200, sink.list({ to, since }));
    }
    if (req.method === 'GET' && url.pathname === '/mail/latest') {
      const all = sink.list({ to, since });
      return all.length ? send(200, all[all.length - 1]) : send(404, { error: 'no mail yet' });
    }
    if (req.method === 'DELETE' && url.pathname === '/mail') {
      sink.clear();
      return send(204, {});
    }
    if (req.method === 'GET' && url.pathname === '/health') {
      return send(200, { status: 'ok' });
    }
    send(404, { error: 'not found', routes: ['GET /mail?to=&since=', 'GET /mail/latest?to=', 'DELETE /mail'] });
  });
}
