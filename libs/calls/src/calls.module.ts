import { Module } from '@nestjs/common';
import { AckLinks } from './ack-links';
import { CallPlanner } from './call-planner';
import { DeadlineService } from './deadline.service';
import { EscalationNotices } from './escalation-notices';
import { Escalator } from './escalator';
import { NoticeService } from './notice.service';
import { PeerNotices } from './peer-notices';
import { UnmatchedWarnings } from './unmatched-warnings.service';
import { VersionRules } from './version-rules';

const SERVICES = [
  AckLinks,
  CallPlanner,
  DeadlineService,
  EscalationNotices,
  Escalator,
  NoticeService,
  PeerNotices,
  UnmatchedWarnings,
  VersionRules,
];

/**
 * The calls kernel every worker shares: planning calls (who, on which ladder, until when), the timer and version
 * rules, deadline checks and escalation with the notices that tell the people above, and the signed links a message
 * carries. Matching plans with it, the dispatcher climbs ladders with it, the escalator runs its checks, and the
 * api's answers and lifecycle (libs/response) build on it.
 */
@Module({
  providers: SERVICES,
  // The version rules serve the planner only.
  exports: SERVICES.filter((s) => s !== VersionRules),
})
export class CallsModule {}
