import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { ClaimedAttempt } from '../attempts/attempt-store';
import { composeCallSms, composeCallVoice } from '../content/compose';
import { MessageTemplates } from '../content/templates';
import { ProviderHealth } from '../failover/provider-health';
import { ProviderRegistry } from '../providers/provider-registry';
import { CallChannel, callContent, ChannelOutcome } from './call-channel';

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
    const message = composeCallSms(this.templates, callContent(a, link), d.signName, d.smsMaxSegments, this.clock.now());
    return this.health.run(this.registry.sms, (p) =>
      p.send({ phones: [a.address], message, signName: d.signName, idempotencyKey: a.idempotency_key }),
    );
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
  ) {}

  async send(a: ClaimedAttempt): Promise<ChannelOutcome> {
    const message = composeCallVoice(this.templates, callContent(a, ''), this.clock.now());
    return this.health.run(this.registry.voice, (p) =>
      p.call({ phone: a.address, message, idempotencyKey: a.idempotency_key, playTimes: 2 }),
    );
  }
}
