import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callProvider, ProviderResult } from './provider';

const read = (status: number, body: { ok?: boolean; id?: string }): ProviderResult =>
  status === 200 && body.ok
    ? { ok: true, messageIds: [body.id ?? ''], rejected: 0 }
    : { ok: false, kind: 'provider', code: `HTTP${status}`, error: 'refused' };

describe('callProvider', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ body: string; type: string | undefined; port: number }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ body, type: req.headers['content-type'], port: req.socket.remotePort ?? 0 });
        if (req.url === '/reset') {
          req.socket.destroy();
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('{"ok":true,"id":"late"}'), 500);
        } else if (req.url === '/garbage') {
          res.writeHead(502).end('<html>bad gateway</html>');
        } else {
          res.end(JSON.stringify({ ok: true, id: `m-${body}` }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const post = (path: string, body: string, timeoutMs = 2000) =>
    callProvider(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body }, timeoutMs, read);

  it('posts the body with its headers and reads the JSON answer, reusing the connection', async () => {
    seen.length = 0;
    expect(await post('/ok', '甲')).toEqual({ ok: true, messageIds: ['m-甲'], rejected: 0 });
    expect(await post('/ok', 'b')).toEqual({ ok: true, messageIds: ['m-b'], rejected: 0 });
    expect(seen.map((s) => [s.body, s.type])).toEqual([
      ['甲', 'text/plain'],
      ['b', 'text/plain'],
    ]);
    expect(seen[0].port).toBe(seen[1].port);
  });

  it('calls a timeout uncertain (it may have been sent)', async () => {
    expect(await post('/slow', 'x', 100)).toMatchObject({ ok: false, kind: 'uncertain', code: 'Timeout' });
  });

  it('calls a connection lost after the request was sent uncertain, not a failure to resend elsewhere', async () => {
    seen.length = 0;
    expect(await post('/reset', 'y')).toMatchObject({ ok: false, kind: 'uncertain', code: 'ConnectionLost' });
    expect(seen.map((s) => s.body)).toEqual(['y']);
  });

  it('calls an unreadable answer a provider failure', async () => {
    expect(await post('/garbage', 'x')).toMatchObject({ ok: false, kind: 'provider', code: 'HTTP502' });
  });

  it('calls a refused connection a provider failure (nothing was sent)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const res = await callProvider(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: {}, body: '' }, 2000, read);
    expect(res).toMatchObject({ ok: false, kind: 'provider', code: 'NetworkError' });
  });
});
