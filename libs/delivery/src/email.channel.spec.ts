import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { AppConfig } from '@app/config';
import { EmailChannel } from './email.channel';

type Reply = 'ok' | 'silent' | 'refuse';

/** A real SMTP server: counts every message whose final "." it read, and answers it as `reply` says. */
class Server {
  received: string[] = [];
  reply: Reply = 'ok';
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData: (stream, _session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        this.received.push(Buffer.concat(chunks).toString('utf8'));
        if (this.reply === 'ok') {
          done();
        } else if (this.reply === 'refuse') {
          done(Object.assign(new Error('try later'), { responseCode: 451 }));
        }
        // 'silent': the message was taken, the reply never comes.
      });
    },
  });

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('EmailChannel: the hand-over mark before the final "."', () => {
  const server = new Server();
  let channel: EmailChannel;
  const mail = { subject: '暴雨红色预警', text: '请点击链接回复', html: '<p>请点击链接回复</p>' };

  beforeAll(async () => {
    const port = await server.listen();
    channel = new EmailChannel({
      delivery: { timeoutMs: 1_000 },
      mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'jiaoying@example.org' },
    } as unknown as AppConfig);
  });

  afterAll(async () => {
    channel.onModuleDestroy();
    await server.close();
  });

  beforeEach(() => {
    server.received = [];
    server.reply = 'ok';
  });

  it('runs the hook after the whole body is written and before the server has the end of the message', async () => {
    let seenByHook = -1;
    const outcome = await channel.send('a@example.org', mail, 'key-1', () => {
      seenByHook = server.received.length;
      return Promise.resolve();
    });
    expect(outcome).toMatchObject({ ok: true, providerMessageId: '<key-1@jiaoying>' });
    expect(seenByHook).toBe(0);
    expect(server.received).toHaveLength(1);
  });

  it('aborts the message when the hook throws: the server never gets its end, and the next one goes alone', async () => {
    const outcome = await channel.send('a@example.org', mail, 'key-2', () => Promise.reject(new Error('claim lost')));
    expect(outcome).toMatchObject({ ok: false, permanent: false });
    expect(server.received).toHaveLength(0);

    expect(await channel.send('b@example.org', mail, 'key-3', () => Promise.resolve())).toMatchObject({ ok: true });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toContain('key-3@jiaoying');
    expect(server.received[0]).not.toContain('key-2@jiaoying');
  });

  it('gives up on a server that never replies after the message within the provider timeout', async () => {
    server.reply = 'silent';
    const started = Date.now();
    const outcome = await channel.send('a@example.org', mail, 'key-4', () => Promise.resolve());
    expect(outcome).toMatchObject({ ok: false, permanent: false });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.received).toHaveLength(1);
  });

  it('calls a 4xx reply to the message transient, to be sent again', async () => {
    server.reply = 'refuse';
    const outcome = await channel.send('a@example.org', mail, 'key-5', () => Promise.resolve());
    expect(outcome).toMatchObject({ ok: false, permanent: false });
  });
});
