import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { APP_CONFIG, AppConfig, ResolvedSpec, ResponseSpecs, resolveSpec } from '@app/config';
import { DispatchesRepository, EventLog, NewEvent, WarningEntity, WarningsRepository } from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, UnmatchedWarnings } from '@app/calls';
import { AreaMatch, AreaMatcher } from './area-matcher';
import { ResponseSpecStore } from './response-spec.store';
import { RecipientResolver } from './recipient-resolver';
import { splitByCounty } from './county-chunks';
import { callsFor, issuedEvents, matchSummary } from './match-outcome';

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

  /**
   * Matches a received warning. An area within one county is matched here in one transaction; an area spanning
   * several gets its dispatch and one chunk per county (county-chunks.ts), matched by MatchChunk jobs
   * (MatchChunkService) that each commit and start sending on their own.
   */
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
      const chunks = splitByCounty(match);
      const matched: NewEvent = {
        type: 'WarningMatched',
        warningId: warning.id,
        data: {
          level: spec.level,
          specVersion: spec.specVersion,
          zones: match.zones.map((z) => z.code),
          objects: match.objects.map((o) => o.code),
          units: match.unitCodes.length,
          requiresAck: spec.requiresAck,
        },
      };
      const plan = { publicBroadcast: spec.publicBroadcast, level: warning.level };
      if (chunks.length > 1) {
        // Tracking from now on: the first county's calls go out, are answered and escalate before the last is matched.
        const dispatchId = await this.dispatches.create(tx, warning.id, spec, 0);
        await this.dispatches.createChunks(tx, dispatchId, chunks);
        await this.warnings.markTracking(tx, warning.id);
        matched.data = { ...matched.data, counties: chunks.map((c) => c.county) };
        await this.events.append(matched, tx);
        return { ...plan, counties: chunks.map((c) => c.county) };
      }
      const people = await this.recipients.resolve(tx, match, spec, now.toISOString().slice(0, 10));
      const dispatchId = await this.dispatches.create(tx, warning.id, spec, people.length);
      const ctx = { warningId: warning.id, dispatchId, level: warning.level, spec, now };
      const work = await this.planner.create(tx, ctx, callsFor(people));
      await this.warnings.markTracking(tx, warning.id);
      // 无匹配对象: a warning that calls nobody is flagged with the reason and the duty desk is told.
      const notices =
        people.length === 0
          ? await this.unmatched.flag(tx, warning.id, await matchSummary(tx, warning, match), now)
          : [];
      matched.data = { ...matched.data, recipients: people.length };
      await this.events.append([matched, ...issuedEvents(warning.id, people, work)], tx);
      return { ...plan, work: { ...work, notices }, recipients: people.length };
    });
    if (!result) {
      return 'skipped';
    }
    if ('counties' in result) {
      await this.producer.matchChunks(warningId, result.level, result.counties);
      this.logger.log({ msg: 'warning split by county', warningId, counties: result.counties.length });
    } else {
      await this.producer.enqueuePlanned(result.work, now);
      this.logger.log({ msg: 'warning matched', warningId, recipients: result.recipients });
    }
    if (result.publicBroadcast) {
      // Residents' area SMS and loudspeakers: planned at once, never waiting for any answer.
      await this.producer.planPublicWarning(warningId, result.level);
    }
    return 'done';
  }
}
