import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Transform } from 'node:stream';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RenderedEmail } from './message-renderer';

export type SendOutcome =
  | { ok: true; provider: string; providerMessageId: string }
  | { ok: false; permanent: boolean; error: string };

/**
 * Runs right before the final "." of DATA, the moment after which the server may have taken the message; throwing
 * aborts the message (the connection is dropped, so the server discards what it got).
 */
export type BeforeFinalDot = () => Promise<void>;

/** What `sendMail` carries besides nodemailer's own options, read back by the stream plugin. */
interface HookedMail {
  data: { beforeFinalDot?: BeforeFinalDot };
  message: { transform(t: () => Transform): void };
}

/** The message's last stage: holds its end until the hook has run (the data stream writes the "." on that end). */
function holdEndUntil(hook: BeforeFinalDot): Transform {
  return new Transform({
    transform: (chunk, _enc, done) => done(null, chunk),
    flush: (done) => {
      hook().then(() => done(), done);
    },
  });
}

/** Email through nodemailer to a real SMTP server. 5xx answers are permanent; anything else is retried. */
@Injectable()
export class EmailChannel implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // The provider timeout bounds every SMTP step too: a lift waits for messages in flight, and an email must not
    // still be on its way long after its claim (nodemailer's own defaults run to minutes). The options go in the
    // transport's own object: a second argument would be message defaults, and silently ignored as transport options.
    // One connection per email, no pool: an email never waits behind others past its claim's lease.
    const t = config.delivery.timeoutMs;
    this.transport = createTransport({
      url: config.mail.smtpUrl,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
    } as object);
    this.transport.use('stream', (mail, done) => {
      const hooked = mail as unknown as HookedMail;
      const hook = hooked.data.beforeFinalDot;
      if (hook) {
        hooked.message.transform(() => holdEndUntil(hook));
      }
      done();
    });
  }

  async send(
    to: string,
    mail: RenderedEmail,
    idempotencyKey: string,
    beforeFinalDot?: BeforeFinalDot,
  ): Promise<SendOutcome> {
    try {
      const info = (await this.transport.sendMail({
        from: this.config.mail.from,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${idempotencyKey}@jiaoying>`,
        headers: { 'X-Jiaoying-Idempotency-Key': idempotencyKey },
        beforeFinalDot,
      } as object)) as { messageId: string };
      return { ok: true, provider: 'smtp', providerMessageId: info.messageId };
    } catch (e) {
      const err = e as { responseCode?: number; message?: string };
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      return { ok: false, permanent, error: String(err.message ?? e).slice(0, 400) };
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
