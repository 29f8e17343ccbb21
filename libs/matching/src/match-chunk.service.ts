import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import type { ResolvedSpec } from '@app/config';
import { DispatchesRepository, EventLog, NewEvent, WarningEntity } from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { CallPlanner, mergeWork, UnmatchedWarnings } from '@app/calls';
import type { AreaMatch } from './area-matcher';
import { mergeTargets, otherCounties } from './county-chunks';
import { callsFor, issuedEvents, matchSummary } from './match-outcome';
import { RecipientResolver } from './recipient-resolver';

/**
 * One county of a warning matched in chunks (MatchWarningService): its people, their calls, attempts and events in
 * one transaction with the chunk marked done, then its sends. A chunk already done (a job run twice, or re-run by the
 * sweep after it committed) writes nothing. The last chunk to finish counts the dispatch's recipients, tells people
 * of the previous version no chunk matched, and flags a warning that called nobody.
 */
@Injectable()
export class MatchChunkService {
  private readonly logger = new Logger(MatchChunkService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatches: DispatchesRepository,
    private readonly recipients: RecipientResolver,
    private readonly planner: CallPlanner,
    private readonly events: EventLog,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly unmatched: UnmatchedWarnings,
  ) {}

  async match(warningId: string, county: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (tx) => {
      const dispatch = await this.dispatches.ofWarning<ResolvedSpec>(tx, warningId);
      const chunks = dispatch && (await this.dispatches.lockChunk<AreaMatch>(tx, dispatch.id, county));
      if (!dispatch || !chunks?.open) {
        return null;
      }
      const warning = (await tx.getRepository(WarningEntity).findOneBy({ id: warningId })) as WarningEntity;
      const { spec } = dispatch;
      const ctx = { warningId, dispatchId: dispatch.id, level: warning.level, spec, now, inChunks: true };
      // A version superseded or lifted while being matched calls no one more.
      const live = warning.state === 'tracking';
      const mine = chunks.all.find((c) => c.county === county) as { targets: AreaMatch };
      const people = live
        ? await this.recipients.resolveChunk(
            tx,
            { county, match: mine.targets },
            otherCounties(chunks.all, county),
            spec,
            now.toISOString().slice(0, 10),
          )
        : [];
      const work = await this.planner.create(tx, ctx, callsFor(people));
      await this.events.append(issuedEvents(warningId, people, work), tx);
      const total = await this.dispatches.completeChunk(tx, dispatch.id, county, people.length, now);
      if (total === null || !live) {
        return { work, people: people.length, notices: [] };
      }
      const leftOut = await this.planner.createLeftOut(tx, ctx);
      // WarningMatched was written with the plan; this says every county's calls now exist.
      const completed: NewEvent = {
        type: 'WarningMatchingCompleted',
        warningId,
        data: { recipients: total, counties: chunks.all.length },
      };
      await this.events.append([completed, ...issuedEvents(warningId, [], leftOut)], tx);
      // 无匹配对象: no county found anyone.
      const notices =
        total === 0
          ? await this.unmatched.flag(tx, warningId, await matchSummary(tx, warning, mergeTargets(chunks.all)), now)
          : [];
      this.logger.log({ msg: 'warning matched', warningId, recipients: total, counties: chunks.all.length });
      return { work: mergeWork([work, leftOut]), people: people.length, notices };
    });
    if (!result) {
      return 'skipped';
    }
    await this.producer.enqueuePlanned({ ...result.work, notices: result.notices }, now);
    this.logger.log({ msg: 'county matched', warningId, county, recipients: result.people });
    return 'done';
  }
}
