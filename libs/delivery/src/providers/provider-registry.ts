import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { MessageTemplates } from '../content/templates';
import { AlibabaSmsProvider, AlibabaVoiceProvider } from './alibaba.providers';
import type { SmsProvider, VoiceProvider } from './provider';
import { TencentSmsProvider, TencentVoiceProvider } from './tencent.providers';

/** The simulator's address for a "-sim" provider, or the real endpoint. */
function endpoint(config: AppConfig, entry: string, real: string, simPath: string): string {
  return entry.endsWith('-sim') ? `http://${config.simulator.host}:${config.simulator.port}${simPath}` : real;
}

/** SMS and voice providers in failover order, built from SMS_PROVIDERS / VOICE_PROVIDERS. */
@Injectable()
export class ProviderRegistry {
  readonly sms: SmsProvider[];
  readonly voice: VoiceProvider[];

  constructor(@Inject(APP_CONFIG) config: AppConfig, templates: MessageTemplates, clock: Clock) {
    const d = config.delivery;
    const timeoutMs = d.timeoutMs;
    this.sms = d.smsProviders.map((entry) =>
      entry.startsWith('alibaba')
        ? new AlibabaSmsProvider(
            {
              ...d.alibaba,
              name: entry,
              endpoint: endpoint(config, entry, d.alibaba.smsEndpoint, '/alibaba/sms'),
              timeoutMs,
            },
            templates,
            clock,
          )
        : new TencentSmsProvider(
            {
              ...d.tencent,
              name: entry,
              endpoint: endpoint(config, entry, d.tencent.endpoint, '/tencent/sms'),
              timeoutMs,
            },
            templates,
            clock,
          ),
    );
    this.voice = d.voiceProviders.map((entry) => {
      // "alibaba-sim" and "alibaba-voice-sim" are the same provider, recorded as alibaba-voice-sim (tencent likewise).
      const name = entry.replace(/^(alibaba|tencent)(-voice)?/, '$1-voice');
      return name.startsWith('alibaba')
        ? new AlibabaVoiceProvider(
            {
              ...d.alibaba,
              name,
              endpoint: endpoint(config, entry, d.alibaba.voiceEndpoint, '/alibaba/voice'),
              showNumber: d.alibaba.voiceShowNumber,
              timeoutMs,
            },
            templates,
            clock,
          )
        : new TencentVoiceProvider(
            {
              ...d.tencent,
              name,
              sdkAppId: d.tencent.voiceSdkAppId,
              endpoint: endpoint(config, entry, d.tencent.voiceEndpoint, '/tencent/voice'),
              timeoutMs,
            },
            templates,
            clock,
          );
    });
  }
}
