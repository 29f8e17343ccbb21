import { JsonLogger } from '@app/common';
import { loadEnv } from '@app/config';
import { startSimulators } from '@app/simulators';

/**
 * Local stand-ins for the third parties we cannot reach here: SMTP capture, the Alibaba/Tencent SMS and voice
 * platforms (same protocols, signatures checked, receipts and replies posted back), webhook/robot receivers and
 * MQTT loudspeakers. Read back over HTTP on SIMULATOR_PORT.
 */
async function main(): Promise<void> {
  const config = loadEnv();
  const logger = new JsonLogger('simulator');
  const d = config.delivery;
  const sims = await startSimulators({
    host: config.simulator.host,
    httpPort: config.simulator.port,
    smtpPort: config.simulator.smtpPort,
    templatesDir: d.templatesDir,
    callbackUrl: config.simulator.callbackUrl,
    callbackSecret: d.callbackSecret,
    alibaba: d.alibaba,
    tencent: d.tencent,
    mqtt: d.mqtt,
  });
  logger.log({ msg: 'simulators ready', smtp: sims.smtpPort, http: sims.httpPort, mqtt: d.mqtt.url }, 'main');
  const stop = () => void sims.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
