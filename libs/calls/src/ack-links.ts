import { Inject, Injectable } from '@nestjs/common';
import { Clock, GoneError, NotFoundError, TokenClaims, TokenPurpose, TokenSigner } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';

/** A warning without an expiry still gets links that end: this long after issue, plus the grace period. */
const DEFAULT_VALIDITY_MS = 72 * 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Signed, single-purpose, expiring acknowledgment links, bound to one call task and one person. */
@Injectable()
export class AckLinks {
  private readonly signer: TokenSigner;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.signer = new TokenSigner(config.ack.keys, config.ack.currentKid);
  }

  token(callTaskId: string, personId: string, warningExpiresAt: Date | null): string {
    return this.signer.sign({ sub: callTaskId, per: personId, pur: 'ack', exp: this.endOf(warningExpiresAt) });
  }

  /** Links of a warning end with it (plus the grace period). */
  private endOf(warningExpiresAt: Date | null): number {
    const base = warningExpiresAt?.getTime() ?? this.clock.now().getTime() + DEFAULT_VALIDITY_MS;
    return Math.floor((base + this.config.ack.graceHours * 3600_000) / 1000);
  }

  url(token: string): string {
    return `${this.config.http.publicBaseUrl}/ack/${token}`;
  }

  /** A 熔断 order target's link: purpose 'order', bound to the target row and its person, valid for 7 days plus grace. */
  orderToken(orderTargetId: string, personId: string): string {
    const exp = Math.floor((this.clock.now().getTime() + (7 * 24 + this.config.ack.graceHours) * 3600_000) / 1000);
    return this.signer.sign({ sub: orderTargetId, per: personId, pur: 'order', exp });
  }

  /** The target's page (GET /order/:token): the order, its deadlines, and the 已收到指令 / 已执行 forms. */
  orderUrl(token: string): string {
    return `${this.config.http.publicBaseUrl}/order/${token}`;
  }

  /** A 督办's page (GET /escalation/:token): purpose 'escalation', bound to the notice and its person, ends with the warning. */
  escalationToken(noticeId: string, personId: string, warningExpiresAt: Date | null): string {
    return this.signer.sign({ sub: noticeId, per: personId, pur: 'escalation', exp: this.endOf(warningExpiresAt) });
  }

  escalationUrl(token: string): string {
    return `${this.config.http.publicBaseUrl}/escalation/${token}`;
  }

  /** Refuses forged, altered, foreign-purpose and expired tokens; says nothing about which task exists. */
  verify(token: string, purpose: TokenPurpose = 'ack'): TokenClaims {
    const check = this.signer.verify(token, purpose, this.clock.now());
    // Every link names a row and a person by id: anything else (only a key holder could sign it) is no link of ours.
    if (check.ok && UUID.test(String(check.claims.sub)) && UUID.test(String(check.claims.per))) {
      return check.claims;
    }
    if (!check.ok && check.reason === 'expired') {
      const phone = this.config.ack.dutyDeskPhone;
      throw new GoneError(
        `此确认链接已过期。如仍需应答，请${phone ? `致电值班员 ${phone}` : '联系值班员'}。(link expired)`,
      );
    }
    throw new NotFoundError('确认链接无效，请使用短信或邮件中的完整链接。(invalid link)');
  }
}
