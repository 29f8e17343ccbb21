import { Module } from '@nestjs/common';
import { AckBatcher } from './ack-batcher';
import { AckLinks } from './ack-links';
import { AckService } from './ack.service';
import { BoardActions } from './board-actions.service';
import { BoardService } from './board.service';
import { CallPlanner } from './call-planner';
import { CallProgress } from './call-progress';
import { ClosureService } from './closure.service';
import { DeadlineService } from './deadline.service';
import { EscalationNotices } from './escalation-notices';
import { Escalator } from './escalator';
import { EvacuationService } from './evacuation.service';
import { NoticeService } from './notice.service';
import { OrdersService } from './orders.service';
import { PeerNotices } from './peer-notices';
import { PerformanceLog } from './performance-log';
import { ResidentConfirmations } from './resident-confirmations.service';
import { StrandedWorkSweeper } from './stranded-work.sweeper';
import { UnmatchedWarnings } from './unmatched-warnings.service';
import { VersionRules } from './version-rules';
import { WarningLifecycle } from './warning-lifecycle.service';

const SERVICES = [
  AckBatcher,
  AckLinks,
  AckService,
  BoardActions,
  BoardService,
  CallPlanner,
  CallProgress,
  ClosureService,
  DeadlineService,
  EscalationNotices,
  Escalator,
  EvacuationService,
  NoticeService,
  OrdersService,
  PeerNotices,
  PerformanceLog,
  ResidentConfirmations,
  StrandedWorkSweeper,
  UnmatchedWarnings,
  VersionRules,
  WarningLifecycle,
];

@Module({
  providers: SERVICES,
  exports: SERVICES,
})
export class ResponseModule {}
