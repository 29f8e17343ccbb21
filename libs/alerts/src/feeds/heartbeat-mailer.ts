import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@app/config';

/** Heartbeat alarms by email, through the service's SMTP relay (SMTP_URL, MAIL_FROM). Failures are logged, not thrown. */
@Injectable()
export class HeartbeatMailer implements OnModuleDestroy {
  private readonly logger = new Logger(HeartbeatMailer.name);
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = createTransport(config.mail.smtpUrl);
  }

  async send(to: string, subject: string, text: string, idempotencyKey: string): Promise<boolean> {
    try {
      await this.transport.sendMail({
        from: this.config.mail.from,
        to,
        subject,
        text,
        messageId: `<${idempotencyKey}@jiaoying>`,
      });
      return true;
    } catch (e) {
      this.logger.warn({ msg: 'heartbeat email not sent', error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
