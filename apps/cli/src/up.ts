import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { loadEnv } from '@app/config';
import { DEMO_ACCOUNTS, DEMO_API_KEYS } from '@app/demo';
import { ensureDemoApiKey, migrate, seed } from './commands';

const APPS = ['simulator', 'api', 'matcher', 'dispatcher', 'escalator', 'ingestor'];

/** `jiaoying up`: migrate, load the demo district, issue demo keys, then run every app as its own process. */
export async function up(): Promise<void> {
  const config = loadEnv();
  await migrate();
  await seed(false);
  const keys = {} as Record<(typeof DEMO_API_KEYS)[number]['use'], string>;
  for (const k of DEMO_API_KEYS) {
    keys[k.use] = await ensureDemoApiKey(k.name, k.role, k.regionCode);
  }
  const children: ChildProcess[] = APPS.map((app) => {
    const child = fork(join(__dirname, '..', '..', app, 'src', 'main.js'), [], { stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${app} exited (${code ?? signal}); stopping the rest`);
        void stop(1);
      }
    });
    return child;
  });
  let stopping = false;
  const stop = async (code: number) => {
    stopping = true;
    children.forEach((c) => c.kill('SIGTERM'));
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  await waitForHealth(`http://127.0.0.1:${config.http.port}/api/v1/health`);
  const base = config.http.publicBaseUrl;
  console.log(`
叫应 Jiaoying is running (demo district: 铜梁区 500151, 丰都县 500230)
  API            ${base}/api/v1   (health: ${base}/api/v1/health)
  API docs       ${base}/api/docs
  Desk 值班台     ${base}/console/   (the duty desk single-page app)
  Board 指挥看板 ${base}/console/board   (sign in as fd-commander below; 大屏: ${base}/console/board/wall)
  Simulators     http://${config.simulator.host}:${config.simulator.port}   (carriers, SMTP capture on port ${config.simulator.smtpPort}, loudspeakers)
    SMS inbox    http://${config.simulator.host}:${config.simulator.port}/sms?to=<mobile>    mail: /mail?to=<address>    voice: /voice?to=<mobile>
  Demo console accounts (demo only; passwords are public; created once, never reset by a restart):
${DEMO_ACCOUNTS.map((a) => `    ${a.username.padEnd(13)} ${a.password.padEnd(22)} ${a.label}`).join('\n')}
  Demo API keys (the same on every start; nothing is revoked by starting again):
    ingest        ${keys.ingest}
    duty officer  ${keys.dutyOfficer}
    commander 丰都 ${keys.commander}
  Try: curl -X POST ${base}/api/v1/alerts -H 'Authorization: Bearer ${keys.ingest}' \\
         -H 'Content-Type: application/cap+xml' --data-binary @config/examples/red-rainstorm-shizhi.xml
`);
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become healthy within 60 s`);
}
