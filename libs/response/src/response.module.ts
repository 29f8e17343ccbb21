import { Module } from '@nestjs/common';
import { AckLinks } from './ack-links';
import { AckService } from './ack.service';
import { CallPlanner } from './call-planner';
import { DeadlineService } from './deadline.service';
import { Escalator } from './escalator';
import { StrandedWorkSweeper } from './stranded-work.sweeper';

@Module({
  providers: [AckLinks, AckService, CallPlanner, DeadlineService, Escalator, StrandedWorkSweeper],
  exports: [AckLinks, AckService, CallPlanner, DeadlineService, Escalator, StrandedWorkSweeper],
})
export class ResponseModule {}
