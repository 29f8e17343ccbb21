import { DynamicModule, Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { startProcessMetrics } from '@app/common';
import { ALL_QUEUES, allQueues } from './all-queues';
import { reportQueues } from './queue-gauges';
import { WorkerMetricsServer } from './worker-metrics.server';

/** Reports every queue's depth and age to /metrics while the app runs. */
@Injectable()
export class QueueMetrics implements OnModuleDestroy {
  private readonly stop: () => void;

  constructor(@Inject(ALL_QUEUES) queues: Queue[]) {
    this.stop = reportQueues(() => queues);
  }

  onModuleDestroy(): void {
    this.stop();
  }
}

/**
 * Prometheus metrics of one app: Node's defaults labelled with the app's name, the queues' depth, and for a worker
 * app its own /metrics and /health server on METRICS_PORT (the api serves /metrics on its HTTP port instead).
 */
@Module({})
export class MetricsModule {
  static forApp(app: string, o: { server: boolean }): DynamicModule {
    startProcessMetrics(app);
    return {
      module: MetricsModule,
      providers: [allQueues, QueueMetrics, ...(o.server ? [WorkerMetricsServer] : [])],
      exports: [allQueues, ...(o.server ? [WorkerMetricsServer] : [])],
    };
  }
}
