import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { parseCap } from './parse-cap';

/** A small valid message, parsed once at boot and never stored. */
export const WARMUP_CAP = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>jiaoying-warmup</identifier><sender>warmup@jiaoying.local</sender><sent>2026-07-01T08:00:00+08:00</sent>
  <status>Test</status><msgType>Alert</msgType><scope>Private</scope><addresses>warmup</addresses>
  <info><language>zh-CN</language><category>Met</category><event>暴雨蓝色预警</event><urgency>Expected</urgency>
    <severity>Minor</severity><certainty>Likely</certainty><headline>预热</headline>
    <area><areaDesc>预热</areaDesc><geocode><valueName>行政区划代码</valueName><value>500151</value></geocode></area>
  </info>
</alert>`;

/**
 * Parses one message while the app boots, so the first real alert does not pay for starting the xmllint worker and
 * compiling its WebAssembly (~200 ms measured on the first warning of the fan-out benchmark).
 */
@Injectable()
export class CapParserWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger(CapParserWarmup.name);

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    try {
      await parseCap(Buffer.from(WARMUP_CAP), { now: new Date('2026-07-01T00:00:00Z') });
      this.logger.log({ msg: 'CAP parser warm', ms: Date.now() - started });
    } catch (e) {
      // Never fatal: the first real alert then starts the worker itself.
      this.logger.warn({ msg: 'CAP parser warm-up failed', error: String(e) });
    }
  }
}
