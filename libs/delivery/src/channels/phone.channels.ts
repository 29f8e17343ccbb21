import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { ClaimedAttempt } from '../attempts/attempt-store';
import { composeCallSms, composeCallVoice } from '../content/compose';
import { MessageTemplates } from '../content/templates';
import { ProviderHealth } from '../failover/provider-health';
import { askSmsProviders, TakenAnswer } from '../providers/provider';
import { ProviderRegistry } from '../providers/provider-registry';
import { CallChannel, callContent, ChannelOutcome } from './call-channel';

/**
 * The end of a claim's lease: a provider call starts only before it, checked right before the request (after the
 * waits for the shared send rate and circuits, which a busy process can make long), so that the request reaches the
 * provider well before the claim is old enough for the sweep or another sender to take it.
 */
export function leaseEnd(a: Pick<ClaimedAttempt, 'claimed_at'>, leaseMs: number): Date {
  return new Date(a.claimed_at.getTime() + leaseMs);
}

/** SMS with the short ack link, through the SMS providers in failover order. */
@Injectable()
export class SmsChannel implements CallChannel {
  constructor(
    private readonly templates: MessageTemplates,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(a: ClaimedAttempt): Promise<ChannelOutcome> {
    const d = this.config.delivery;
    const link = `${this.config.http.publicBaseUrl}/a/${a.short_code}`;
    const message = composeCallSms(
      this.templates,
      callContent(a, link),
      d.signName,
      d.smsMaxSegments,
      this.clock.now(),
    );
    return this.health.run(
      this.registry.sms,
      (p) => p.send({ phones: [a.address], message, signName: d.signName, idempotencyKey: a.idempotency_key }),
      leaseEnd(a, d.claimLeaseMs),
    );
  }

  /**
   * Before sending again an attempt an earlier claim may have sent (its sender crashed, or the provider did not
   * answer in time): asks each provider's query API for our idempotency key. Carriers deliver a repeated submit again
   * (Alibaba documents SendSms as not idempotent), so this is what keeps a crash from texting a person twice.
   * 'unknown' when none has it but one could not be asked.
   */
  findSent(a: ClaimedAttempt): Promise<TakenAnswer> {
    return askSmsProviders(this.registry.sms, {
      phone: a.address,
      idempotencyKey: a.idempotency_key,
      since: new Date(a.created_at.getTime() - 60_000),
    });
  }
}

/** A text-to-speech call asking for a keypress, through the voice providers. */
@Injectable()
export class VoiceChannel implements CallChannel {
  constructor(
    private readonly templates: MessageTemplates,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(a: ClaimedAttempt): Promise<ChannelOutcome> {
    const message = composeCallVoice(this.templates, callContent(a, ''), this.clock.now());
    return this.health.run(
      this.registry.voice,
      (p) => p.call({ phone: a.address, message, idempotencyKey: a.idempotency_key, playTimes: 2 }),
      leaseEnd(a, this.config.delivery.claimLeaseMs),
    );
  }
}
