import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CallReason } from '@app/database';
import type { NewCallTask, PlanContext } from './call-planner';

export type VersionChange = 'first' | 'upgrade' | 'keep';

/** 1 = red … 4 = blue; an advisory (null) is below blue. A smaller number is a higher level. */
export function compareVersions(previousLevel: number | null | undefined, nextLevel: number | null): VersionChange {
  if (previousLevel === undefined) {
    return 'first';
  }
  return (nextLevel ?? 5) < (previousLevel ?? 5) ? 'upgrade' : 'keep';
}

/** A notify-only task in the previous version means the person had answered before it. */
interface PriorTask {
  person_id: string;
  answered: boolean;
  reasons: CallReason[];
  escalation_path: string[][];
}

/**
 * What a new version of a warning asks of people already called for the chain (docs/domain.md, warning chains):
 * - upgrade: everyone matched is called again at the new level, answered or not (those who answered the lower
 *   level answer again);
 * - any other update (downgrade, same level, area change): those who answered keep their answer and get a
 *   notify-only message; those who had not answered are called under the new version; the newly matched are called;
 * - in both cases people called before but no longer matched get a notify-only message with the change.
 */
@Injectable()
export class VersionRules {
  async apply(manager: EntityManager, ctx: PlanContext, matched: NewCallTask[]): Promise<NewCallTask[]> {
    const before = await this.prior(manager, ctx);
    if (!before) {
      return matched;
    }
    const { change, prior } = before;
    const byPerson = new Map(prior.map((p) => [p.person_id, p]));
    const result = matched.map((t) =>
      change === 'keep' && byPerson.get(t.personId)?.answered ? { ...t, notifyOnly: true } : t,
    );
    if (ctx.inChunks) {
      // Who is no longer matched is known only once every chunk has run (leftOut).
      return result;
    }
    const matchedIds = new Set(matched.map((t) => t.personId));
    return result.concat(prior.filter((p) => !matchedIds.has(p.person_id)).map(toldOfChange));
  }

  /** For a dispatch matched in chunks, after its last: people called before who no chunk matched this time. */
  async leftOut(manager: EntityManager, ctx: PlanContext): Promise<NewCallTask[]> {
    const before = await this.prior(manager, ctx);
    if (!before) {
      return [];
    }
    const called = await manager.query<Array<{ person_id: string }>>(
      `SELECT person_id FROM call_tasks WHERE dispatch_id = $1 AND person_id = ANY($2::uuid[])`,
      [ctx.dispatchId, before.prior.map((p) => p.person_id)],
    );
    const matched = new Set(called.map((c) => c.person_id));
    return before.prior.filter((p) => !matched.has(p.person_id)).map(toldOfChange);
  }

  /** The previous dispatched version of the chain, how this one compares, and who it called; null for a first. */
  private async prior(
    manager: EntityManager,
    ctx: PlanContext,
  ): Promise<{ change: VersionChange; prior: PriorTask[] } | null> {
    const [previous] = await manager.query<Array<{ id: string; level: number | null }>>(
      `SELECT p.id, p.level FROM warnings w JOIN warnings p ON p.chain_id = w.chain_id AND p.version < w.version
       WHERE w.id = $1 AND EXISTS (SELECT 1 FROM dispatches d WHERE d.warning_id = p.id) AND p.msg_type <> 'cancel'
       ORDER BY p.version DESC LIMIT 1`,
      [ctx.warningId],
    );
    const change = compareVersions(previous ? previous.level : undefined, ctx.level);
    if (change === 'first') {
      return null;
    }
    const prior = await manager.query<PriorTask[]>(
      `SELECT DISTINCT ON (t.person_id) t.person_id, t.reasons, t.escalation_path,
              (NOT t.requires_ack OR EXISTS (SELECT 1 FROM acknowledgements a WHERE a.call_task_id = t.id)) AS answered
       FROM call_tasks t WHERE t.warning_id = $1 ORDER BY t.person_id, t.requires_ack DESC, t.tier`,
      [previous.id],
    );
    return { change, prior };
  }
}

/** A person called before and not matched now: told of the change, not waited for. */
const toldOfChange = (p: PriorTask): NewCallTask => ({
  personId: p.person_id,
  tier: 0,
  reasons: p.reasons,
  escalationPath: p.escalation_path,
  notifyOnly: true,
});
