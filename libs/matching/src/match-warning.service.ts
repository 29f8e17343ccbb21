import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec, ResponseSpecs, resolveSpec } from '@app/config';
import { DispatchesRepository, EventLog, WarningEntity, WarningsRepository } from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, UnmatchedWarnings } from '@app/calls';
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
    private readonly warnings: WarningsRepository,
    private readonly dispatches: DispatchesRepository,
    private readonly areas: AreaMatcher,
    private readonly recipients: RecipientResolver,
    private readonly planner: CallPlanner,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly specs: ResponseSpecStore,
    private readonly unmatched: UnmatchedWarnings,
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
      const dispatchId = await this.dispatches.create(tx, warning.id, spec, people.length);
      const work = await this.planner.create(
        tx,
        { warningId: warning.id, dispatchId, level: warning.level, spec, now },
        people.map((p) => ({
          personId: p.personId,
          tier: p.tier,
          reasons: p.reasons,
          escalationPath: p.escalationPath,
          unreachable: !p.hasContact,
        })),
      );
      await this.warnings.markTracking(tx, warning.id);
      // 无匹配对象: a warning that calls nobody is flagged with the reason and the duty desk is told.
      const unmatchedNotices =
        people.length === 0
          ? await this.unmatched.flag(
              tx,
              warning.id,
              {
                hasArea:
                  warning.areaCodes.length > 0 ||
                  (warning.areaCircles ?? []).length > 0 ||
                  (await this.hasGeometry(tx, warning.id)),
                units: match.unitCodes.length,
                zones: match.zones.length,
                objects: match.objects.length,
                hazardType: warning.hazardType,
              },
              now,
            )
          : [];
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
          ...[...work.taskIds.values()].map((callTaskId) => ({
            type: 'CallIssued',
            warningId: warning.id,
            callTaskId,
          })),
        ],
        tx,
      );
      return {
        work,
        recipients: people.length,
        publicBroadcast: spec.publicBroadcast,
        level: warning.level,
        unmatchedNotices,
      };
    });
    if (!result) {
      return 'skipped';
    }
    await this.producer.enqueuePlanned({ ...result.work, notices: result.unmatchedNotices }, now);
    if (result.publicBroadcast) {
      // Residents' area SMS and loudspeakers: planned at once, never waiting for any answer.
      await this.producer.planPublicWarning(warningId, result.level);
    }
    this.logger.log({ msg: 'warning matched', warningId, recipients: result.recipients });
    return 'done';
  }

  private async hasGeometry(tx: EntityManager, warningId: string): Promise<boolean> {
    const [row] = await tx.query<Array<{ has: boolean }>>(
      `SELECT area_geom IS NOT NULL AS has FROM warnings WHERE id = $1`,
      [warningId],
    );
    return row.has;
  }
}
