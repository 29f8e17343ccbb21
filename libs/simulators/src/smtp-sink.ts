import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  id: number;
  at: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | null;
}

/**
 * A real SMTP server (smtp-server) that keeps what it receives in memory, newest last, for people and tests
 * to read back. Development and tests only: no auth, no TLS, bound to loopback.
 */
export class SmtpSink {
  private readonly mails: CapturedMail[] = [];
  private nextId = 1;
  private readonly server: SMTPServer;

  constructor(private readonly maxKept = 20_000) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: 5 * 1024 * 1024,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.keep({
              id: this.nextId++,
              at: new Date().toISOString(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? null,
            });
            callback();
          })
          .catch((e: Error) => callback(e));
      },
    });
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        // A client that vanishes mid-session (a sender killed, a reset socket) ends that session, not the server.
        this.server.removeListener('error', reject);
        this.server.on('error', () => undefined);
        const address = this.server.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  list(filter: { to?: string; since?: number } = {}): CapturedMail[] {
    const to = filter.to?.toLowerCase();
    return this.mails.filter((m) => (!to || m.to.includes(to)) && (!filter.since || m.id > filter.since));
  }

  clear(): void {
    this.mails.length = 0;
  }

  private keep(mail: CapturedMail): void {
    this.mails.push(mail);
    if (this.mails.length > this.maxKept) {
      this.mails.splice(0, this.mails.length - this.maxKept);
    }
  }
}
