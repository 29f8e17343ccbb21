import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVE_APPS } from '../../../apps/cli/src/serve';
import { EnvDto } from '../../config/src/env.dto';
import { repoRoot } from './kustomize';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const served = Object.entries(compose.services).flatMap(([name, s]) => {
  const i = s.command?.indexOf('serve') ?? -1;
  return i >= 0 && s.command ? [{ name, app: s.command[i + 1], service: s }] : [];
});

describe('docker-compose.yml', () => {
  it('runs every app the CLI serves, each as its own service', () => {
    expect(served.map((s) => s.app).sort()).toEqual([...SERVE_APPS].sort());
  });

  it('gives each worker app its /metrics and /health on a port, reachable in the network, with a health check on it', () => {
    for (const { name, service } of served.filter((s) => !['api', 'simulator'].includes(s.app))) {
      const env = service.environment ?? {};
      expect({ name, port: Number(env.METRICS_PORT) > 0, host: env.HTTP_HOST }).toEqual({
        name,
        port: true,
        host: '0.0.0.0',
      });
      expect(service.healthcheck?.test.join(' ')).toContain(`:${env.METRICS_PORT}/health`);
    }
  });

  it('sets only variables the configuration knows', () => {
    const known = new Set(Object.keys(new EnvDto()));
    const unknown = served.flatMap(({ service }) =>
      Object.keys(service.environment ?? {}).filter((k) => !known.has(k)),
    );
    expect([...new Set(unknown)]).toEqual([]);
  });
});
