import { HandlesJobs, JobHandlers, JobName, QueueName, QueueProcessor } from '@app/queue';
import { DeadlineService, EscalationNotices, PeerNotices } from '@app/calls';
import { OrdersService, WarningLifecycle } from '@app/response';

type TimerJob =
  | JobName.CheckCallTasks
  | JobName.ExpireWarning
  | JobName.CheckOrderTarget
  | JobName.SendEscalationNotice
  | JobName.NotifyPeers;

/**
 * Its own queue and worker: a fan-out backlog never makes a deadline late (on a shared queue they ran 5 s late).
 * Timers of one dispatch fall due together and come as one job per 50 tasks (check-groups.ts), checked a few at a time.
 */
@HandlesJobs(
  QueueName.Deadlines,
  [
    JobName.CheckCallTasks,
    JobName.ExpireWarning,
    JobName.CheckOrderTarget,
    JobName.SendEscalationNotice,
    JobName.NotifyPeers,
  ],
  50,
)
export class DeadlineProcessor extends QueueProcessor<TimerJob> {
  constructor(
    private readonly deadlines: DeadlineService,
    private readonly lifecycle: WarningLifecycle,
    private readonly orders: OrdersService,
    private readonly escalationNotices: EscalationNotices,
    private readonly peers: PeerNotices,
  ) {
    super();
  }

  readonly handlers: JobHandlers<TimerJob> = {
    [JobName.CheckCallTasks]: (job) => this.deadlines.check(job.data.callTaskIds, job.data.step),
    [JobName.ExpireWarning]: (job) => this.lifecycle.expire(job.data.warningId),
    [JobName.CheckOrderTarget]: (job) => this.orders.check(job.data.orderTargetId, job.data.phase),
    [JobName.SendEscalationNotice]: (job) => this.escalationNotices.send(job.data.escalationNoticeId),
    [JobName.NotifyPeers]: (job) => this.peers.flush(job.data.warningId),
  };
}
