import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface Stream {
  /** Parsed `data:` of each `change` event so far */
  changes: Array<{ warnings: string[]; towns: string[]; resync?: boolean }>;
  status: number;
  /** Resolves when the server ends the stream (at shutdown) */
  ended: Promise<void>;
  close(): void;
}

/** Reads the board's server-sent events as a browser would (cookie session), collecting `change` events. */
export function openBoardStream(server: Server, cookie: string): Promise<Stream> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
  }
  return new Promise((resolve, reject) => {
    const start = () => {
      const { port } = server.address() as AddressInfo;
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/command-board/events',
          headers: { Cookie: cookie, Accept: 'text/event-stream' },
        },
        (res) => {
          const ended = new Promise<void>((done) => res.once('close', () => done()));
          const stream: Stream = { changes: [], status: res.statusCode ?? 0, ended, close: () => req.destroy() };
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const type = /^event: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (type === 'change' && data) {
                stream.changes.push(JSON.parse(data) as Stream['changes'][number]);
              }
            }
          });
          res.on('error', () => undefined);
          resolve(stream);
        },
      );
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    };
    if (server.listening) {
      start();
    } else {
      server.once('listening', start);
    }
  });
}
