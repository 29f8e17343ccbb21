import { join } from 'node:path';
import { loadEnv } from '@app/config';

/** The apps `jiaoying serve` runs; the simulator stands in for third parties and is refused in production mode. */
export const SERVE_APPS = ['api', 'matcher', 'dispatcher', 'escalator', 'ingestor', 'simulator'] as const;

export function isServeApp(name: string | undefined): name is (typeof SERVE_APPS)[number] {
  return (SERVE_APPS as readonly string[]).includes(name ?? '');
}

/**
 * `jiaoying serve <app>`: one app in this process, for systemd, Docker and Kubernetes. It never migrates, never loads
 * the demo and never issues or revokes a key (`jiaoying migrate` is its own step); the environment is checked first,
 * so a production start with development secrets stops here with the variables to set.
 */
export async function serve(app: (typeof SERVE_APPS)[number]): Promise<void> {
  const config = loadEnv();
  if (app === 'simulator' && config.env === 'production') {
    throw new Error('生产模式不运行模拟运营商 (the simulator does not run in production mode)');
  }
  await import(join(__dirname, '..', '..', app, 'src', 'main.js'));
}
