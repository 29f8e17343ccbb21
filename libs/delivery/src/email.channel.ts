import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { RenderedEmail } from './message-renderer';

export type SendOutcome =
  | { ok: true; provider: string; providerMessageId: string }
  | { ok: false; permanent: boolean; error: string };

/** Email through nodemailer to a real SMTP server. 5xx answers are permanent; anything else is retried. */
@Injectable()
export class EmailChannel implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // The provider timeout bounds every SMTP step too: a lift waits for messages in flight, and an email must not
    // still be on its way long after its claim (nodemailer's own defaults run to minutes).
    const t = config.delivery.timeoutMs;
    this.transport = createTransport(config.mail.smtpUrl, {
      pool: true,
      maxConnections: 5,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
    } as object);
  }

  async send(to: string, mail: RenderedEmail, idempotencyKey: string): Promise<SendOutcome> {
    try {
      const info = (await this.transport.sendMail({
        from: this.config.mail.from,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${idempotencyKey}@jiaoying>`,
        headers: { 'X-Jiaoying-Idempotency-Key': idempotencyKey },
      })) as { messageId: string };
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
