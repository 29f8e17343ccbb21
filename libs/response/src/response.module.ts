import { Module } from '@nestjs/common';
import { AckLinks } from './ack-links';
import { AckService } from './ack.service';
import { BoardService } from './board.service';
import { CallPlanner } from './call-planner';
import { ClosureService } from './closure.service';
import { ConsoleSessions } from './console';
import { DeadlineService } from './deadline.service';
import { Escalator } from './escalator';
import { EvacuationService } from './evacuation.service';
import { NoticeService } from './notice.service';
import { OrdersService } from './orders.service';
import { PeerNotices } from './peer-notices';
import { PerformanceLog } from './performance-log';
import { ResidentConfirmations } from './resident-confirmations.service';
import { ResponseJobs } from './response-jobs';
import { StrandedWorkSweeper } from './stranded-work.sweeper';
import { VersionRules } from './version-rules';
import { WarningLifecycle } from './warning-lifecycle.service';

const SERVICES = [
  AckLinks, AckService, BoardService, CallPlanner, ClosureService, ConsoleSessions, DeadlineService, Escalator,
  EvacuationService, NoticeService, OrdersService, PeerNotices, PerformanceLog, ResidentConfirmations, ResponseJobs,
  StrandedWorkSweeper, VersionRules, WarningLifecycle,
];

@Module({
  providers: SERVICES,
  exports: SERVICES,
})
export class ResponseModule {}
