import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { checkHealth, metricsAllowed } from './health-check';
import { ALL_QUEUES } from './all-queues';

/**
 * A worker app's only HTTP: GET /metrics (Prometheus) and GET /health (PostgreSQL and Redis answer, for Kubernetes'
 * probes), on METRICS_PORT at HTTP_HOST. METRICS_PORT=0 (the default, so several workers fit on one machine) serves
 * nothing.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @Inject(ALL_QUEUES) private readonly queues: Queue[],
  ) {}

  /** The port it listens on (null when not serving). */
  get port(): number | null {
    return (this.server?.address() as AddressInfo | null)?.port ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metrics.port === 0) {
      return;
    }
    const [queue] = this.queues;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        if (!metricsAllowed(this.config.metrics.token, req.headers.authorization)) {
          res
            .writeHead(401, { 'content-type': 'text/plain; charset=utf-8' })
            .end('需要 METRICS_TOKEN (Authorization: Bearer <METRICS_TOKEN>)\n');
          return;
        }
        metricsRegistry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
          (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message),
        );
        return;
      }
      if (req.method === 'GET' && path === '/health') {
        void checkHealth(this.dataSource, queue).then((h) =>
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h.body)),
        );
        return;
      }
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('未找到 (not found): GET /metrics, GET /health\n');
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metrics.port, this.config.http.host, () => resolve());
    });
    this.logger.log({ msg: `metrics and health on ${this.config.http.host}:${this.port}` });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}
