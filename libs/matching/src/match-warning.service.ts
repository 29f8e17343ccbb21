import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec, ResponseSpecs, resolveSpec } from '@app/config';
import { EventLog, WarningEntity } from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, PlannedWork } from '@app/response';
import { AreaMatch, AreaMatcher } from './area-matcher';
import { ResponseSpecStore } from './response-spec.store';
import { RecipientResolver } from './recipient-resolver';

/** Spec for a warning: the hazard tables first (what to match), then the level and overrides for the matched units. */
export function specForMatch(
  specs: ResponseSpecs,
  warning: { hazardType: string; level: number | null; areaCodes: string[] },
  match: AreaMatch | null,
  timerScale: number,
): ResolvedSpec {
  const units = match && match.unitCodes.length > 0 ? match.unitCodes : warning.areaCodes;
  return resolveSpec(specs, warning.hazardType, warning.level, units, timerScale);
}

/** Turns a received warning into a dispatch: matched targets → people → call tasks, then enqueues the work. */
@Injectable()
export class MatchWarningService {
  private readonly logger = new Logger(MatchWarningService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly areas: AreaMatcher,
    private readonly recipients: RecipientResolver,
    private readonly planner: CallPlanner,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly specs: ResponseSpecStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async match(warningId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx) => {
      const warning = await tx.getRepository(WarningEntity).findOne({
        where: { id: warningId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!warning || warning.state !== 'received') {
        return null;
      }
      const specs = await this.specs.active(tx);
      const tables = specForMatch(specs, warning, null, this.config.timers.scale);
      const match = await this.areas.match(tx, warning.id, tables.zoneKinds, tables.objectTypes);
      const spec = specForMatch(specs, warning, match, this.config.timers.scale);
      const people = await this.recipients.resolve(tx, match, spec, now.toISOString().slice(0, 10));
      const [dispatch] = await tx.query<Array<{ id: string }>>(
        `INSERT INTO dispatches (warning_id, spec, recipient_count) VALUES ($1, $2, $3) RETURNING id`,
        [warning.id, JSON.stringify(spec), people.length],
      );
      const work = await this.planner.create(
        tx,
        { warningId: warning.id, dispatchId: dispatch.id, level: warning.level, spec, now },
        people.map((p) => ({
          personId: p.personId,
          tier: p.tier,
          reasons: p.reasons,
          escalationPath: p.escalationPath,
          unreachable: !p.hasContact,
        })),
      );
      await tx.update(WarningEntity, { id: warning.id }, { state: 'tracking' });
      const unreachable = people.filter((p) => !p.hasContact).map((p) => p.personId);
      await this.events.append(
        [
          {
            type: 'WarningMatched',
            warningId: warning.id,
            data: {
              level: spec.level,
              specVersion: spec.specVersion,
              zones: match.zones.map((z) => z.code),
              objects: match.objects.map((o) => o.code),
              units: match.unitCodes.length,
              recipients: people.length,
              requiresAck: spec.requiresAck,
            },
          },
          ...(unreachable.length > 0
            ? [{ type: 'RecipientsUnreachable', warningId: warning.id, data: { personIds: unreachable } }]
            : []),
          ...[...work.taskIds.values()].map((callTaskId) => ({ type: 'CallIssued', warningId: warning.id, callTaskId })),
        ],
        tx,
      );
      return { work, recipients: people.length, publicBroadcast: spec.publicBroadcast, level: warning.level };
    });
    if (!result) {
      return 'skipped';
    }
    await this.enqueue(result.work, now);
    if (result.publicBroadcast) {
      // Residents' area SMS and loudspeakers (issue 5): planned at once, never waiting for any answer.
      await this.producer.planPublicWarning(warningId, result.level);
    }
    this.logger.log({ msg: 'warning matched', warningId, recipients: result.recipients });
    return 'done';
  }

  /** Timer delays count from when they are added: matching 10,000 people and queueing their sends takes seconds. */
  private async enqueue(work: PlannedWork, planned: Date): Promise<void> {
    await this.producer.send(work.sends);
    const now = this.clock.now();
    await this.producer.scheduleChecks(work.checks, now.getTime() > planned.getTime() ? now : planned);
  }
}
