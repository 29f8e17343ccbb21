import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Controller, Get, Inject, Next, OnModuleInit, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, inRegion } from '@app/common';
import { ALL_QUEUES } from '@app/metrics';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

const ALL_REGIONS = '500000';

/** Where Bull Board is served: under /api so that the API's guard, audit and authorization matrix cover it. */
export const QUEUE_BOARD_PATH = '/api/v1/admin/queues';

/**
 * Bull Board: the BullMQ queues as administrators see them (counts, jobs, their data (ids only) and failures), read
 * only: PostgreSQL is the truth and the sweep re-runs what a job lost, so retrying, promoting or deleting jobs by
 * hand is not offered. Admin only, by session (the console's sign-in) or API key, like every admin route; other
 * roles get 403 and no caller 401. Only GET is routed, so the board's write routes do not exist here (404).
 */
@ApiExcludeController()
@Controller(QUEUE_BOARD_PATH.slice(1))
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class QueueBoardController implements OnModuleInit {
  private board?: RequestHandler;

  constructor(@Inject(ALL_QUEUES) private readonly queues: Queue[]) {}

  onModuleInit(): void {
    const adapter = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: this.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: '叫应 队列', locale: { lng: 'zh-CN' }, hideDocsLink: true } },
    });
    this.board = adapter.getRouter() as RequestHandler;
  }

  @Get()
  index(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    this.serve(caller, req, res, next);
  }

  @Get('*path')
  page(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    this.serve(caller, req, res, next);
  }

  /**
   * Hands the request to the board's own Express app, as if it were mounted at QUEUE_BOARD_PATH. The queues hold
   * every region's jobs, so only an administrator of the whole city (500000) sees them.
   */
  private serve(caller: Caller, req: Request, res: Response, next: NextFunction): void {
    if (!inRegion(ALL_REGIONS, caller.regionCode)) {
      throw new ForbiddenError(
        "队列看板包含全市的任务，仅限全市（500000）管理员 (the queue board holds every region's jobs: administrators of 500000 only)",
        {
          regionCode: caller.regionCode,
        },
      );
    }
    req.url = req.originalUrl.slice(QUEUE_BOARD_PATH.length) || '/';
    void this.board?.(req, res, next);
  }
}
