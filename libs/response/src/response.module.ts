import { Module } from '@nestjs/common';
import { CallsModule } from '@app/calls';
import { AckBatcher } from './ack-batcher';
import { AckService } from './ack.service';
import { BoardActions } from './board-actions.service';
import { BoardService } from './board.service';
import { CallProgress } from './call-progress';
import { ClosureService } from './closure.service';
import { EvacuationService } from './evacuation.service';
import { OrdersService } from './orders.service';
import { PerformanceLog } from './performance-log';
import { ResidentConfirmations } from './resident-confirmations.service';
import { StrandedWorkSweeper } from './stranded-work.sweeper';
import { WarningLifecycle } from './warning-lifecycle.service';

const SERVICES = [
  AckBatcher,
  AckService,
  BoardActions,
  BoardService,
  CallProgress,
  ClosureService,
  EvacuationService,
  OrdersService,
  PerformanceLog,
  ResidentConfirmations,
  StrandedWorkSweeper,
  WarningLifecycle,
];

/** What the api and the escalator do with calls beyond the kernel: answers, orders, evacuation, lifecycle, the board. */
@Module({
  imports: [CallsModule],
  providers: SERVICES,
  // The batcher and the progress log serve the answers inside this module only.
  exports: SERVICES.filter((s) => s !== AckBatcher && s !== CallProgress),
})
export class ResponseModule {}
