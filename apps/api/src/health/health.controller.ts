import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { metricsRegistry, UnauthorizedError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { checkHealth, metricsAllowed } from '@app/metrics';
import { QueueName } from '@app/queue';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Matching) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api/v1/health')
  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer, 503 otherwise' })
  async check(@Res({ passthrough: true }) res: Response): Promise<Record<string, string>> {
    const health = await checkHealth(this.dataSource, this.queue);
    res.status(health.ok ? 200 : 503);
    return health.body;
  }

  /** Prometheus metrics of this api process (docs/operations.md lists them); METRICS_TOKEN, when set, is asked for. */
  @Get('metrics')
  @ApiExcludeEndpoint()
  async metrics(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!metricsAllowed(this.config.metrics.token, authorization)) {
      throw new UnauthorizedError(
        '需要 METRICS_TOKEN：发送 Authorization: Bearer <METRICS_TOKEN> (metrics need the METRICS_TOKEN)',
      );
    }
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
