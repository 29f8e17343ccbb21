import { createServer } from 'node:net';

/** Ports already handed out by this process: never handed out twice. */
const handedOut = new Set<number>();
/** Below Linux's ephemeral range (32768–60999), so an outgoing connection cannot take a port before its app binds it. */
const [LOW, HIGH] = [20_000, 32_000];

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A free loopback port for an app a test or bench starts: outside the ephemeral range and never one handed out
 * before (a port from `listen(0)` was seen taken again before its app bound it).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!handedOut.has(port) && (await bindable(port))) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Free ports for the API, the simulators' HTTP and SMTP. */
export async function localPorts(): Promise<{ api: number; sim: number; smtp: number }> {
  return { api: await freePort(), sim: await freePort(), smtp: await freePort() };
}

/**
 * What every app needs to find the others on loopback when each runs as its own process (benchmarks, fault tests):
 * the API, the simulators as carriers and SMTP, callbacks back to the API, and one queue and MQTT prefix.
 */
export function localAppsEnv(ports: { api: number; sim: number; smtp: number }, prefix: string): NodeJS.ProcessEnv {
  return {
    QUEUE_PREFIX: prefix,
    MQTT_TOPIC_PREFIX: prefix,
    PORT: String(ports.api),
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.api}`,
    SIMULATOR_PORT: String(ports.sim),
    SMTP_SINK_PORT: String(ports.smtp),
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    SIMULATOR_CALLBACK_URL: `http://127.0.0.1:${ports.api}`,
  };
}
