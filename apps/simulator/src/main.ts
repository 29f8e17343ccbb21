import { JsonLogger } from '@app/common';
import { loadEnv } from '@app/config';
import { SmtpSink, simulatorHttp } from '@app/simulators';

/** Local stand-ins for third-party services we cannot reach here: an SMTP capture server (more to come). */
async function main(): Promise<void> {
  const config = loadEnv();
  const logger = new JsonLogger('simulator');
  const sink = new SmtpSink();
  await sink.listen(config.simulator.smtpPort, config.simulator.host);
  const http = simulatorHttp(sink);
  http.listen(config.simulator.port, config.simulator.host);
  logger.log({ msg: 'simulators ready', smtp: config.simulator.smtpPort, http: config.simulator.port }, 'main');
  const stop = () => {
    http.close();
    void sink.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
