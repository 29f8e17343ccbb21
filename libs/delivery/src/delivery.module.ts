import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CallsModule } from '@app/calls';
import { ResponseModule } from '@app/response';
import { AttemptStore } from './attempts/attempt-store';
import { NextRung } from './attempts/next-rung';
import { SmsChannel, VoiceChannel } from './channels/phone.channels';
import { WebhookChannel } from './channels/webhook.channel';
import { MessageTemplates } from './content/templates';
import { DispatchService } from './dispatch.service';
import { NoticeSender } from './notice-sender';
import { EmailCallChannel } from './channels/email-call.channel';
import { EmailChannel } from './email.channel';
import { DeliveryRateMonitor } from './failover/delivery-rate.monitor';
import { ProviderHealth } from './failover/provider-health';
import { CarrierCallbacks } from './inbound/carrier-callbacks.service';
import { ReceiptService } from './inbound/receipts.service';
import { RepliesService } from './inbound/replies.service';
import { ShortLinks } from './inbound/short-links';
import { ProviderRegistry } from './providers/provider-registry';
import { MqttLink } from './public/mqtt-link';
import { PublicWarningService } from './public/public-warning.service';

const templatesProvider = {
  provide: MessageTemplates,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => MessageTemplates.load(config.delivery.templatesDir),
};

/** What the API needs from delivery: provider callbacks (receipts, replies, keypresses) and short links. */
@Module({
  imports: [CallsModule, ResponseModule],
  providers: [CarrierCallbacks, ReceiptService, RepliesService, ShortLinks, NextRung],
  exports: [CarrierCallbacks, ShortLinks],
})
export class DeliveryCallbacksModule {}

/** The dispatcher's side: sending over every channel, failover, notices, public warnings, loudspeakers over MQTT. */
@Module({
  imports: [CallsModule],
  providers: [
    templatesProvider,
    AttemptStore,
    NextRung,
    ProviderHealth,
    ProviderRegistry,
    SmsChannel,
    VoiceChannel,
    EmailChannel,
    EmailCallChannel,
    WebhookChannel,
    DispatchService,
    NoticeSender,
    ReceiptService,
    DeliveryRateMonitor,
    MqttLink,
    PublicWarningService,
  ],
  exports: [DispatchService, NoticeSender, PublicWarningService, ProviderHealth, ProviderRegistry, MessageTemplates],
})
export class DeliveryModule {}
