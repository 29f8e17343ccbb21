import { DataSource, EntityManager } from 'typeorm';

/**
 * The barrier between sending a warning's messages and stopping it (Cancel, an officer's lift, expiry).
 *
 * It is a PostgreSQL advisory lock per warning chain. Each claim of messages takes it shared for the claim's
 * transaction only; a stop takes it exclusively on a connection of its own for as long as it runs. So once a stop
 * holds it, every earlier claim has committed (its messages show as `sending`) and no later claim of that chain
 * succeeds; the stop can then wait for the messages in flight without holding any row lock a sender needs, and
 * commit. A stop that dies releases the lock with its connection: nothing is left blocked.
 */
const key = (chainSql: string) => `hashtextextended(${chainSql}::text, 0)`;

/**
 * In a claim's transaction: the ids among `attemptIds` whose chain is being stopped right now. The shared lock on
 * every other chain is held until the transaction ends, so a stop cannot start in between.
 */
export async function attemptsOfStoppingChains(tx: EntityManager, attemptIds: string[]): Promise<Set<string>> {
  const rows = await tx.query<Array<{ id: string }>>(
    `WITH a AS MATERIALIZED (
       SELECT a.id, w.chain_id FROM attempts a JOIN call_tasks t ON t.id = a.call_task_id JOIN warnings w ON w.id = t.warning_id
       WHERE a.id = ANY($1::uuid[])),
     chains AS MATERIALIZED (
       SELECT chain_id, pg_try_advisory_xact_lock_shared(${key('chain_id')}) AS free FROM (SELECT DISTINCT chain_id FROM a) d)
     SELECT a.id FROM a JOIN chains c USING (chain_id) WHERE NOT c.free`,
    [attemptIds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * SQL for one statement's (or transaction's) shared hold on the barrier of the chain `chainSql` names: true when
 * taken (held until the transaction ends), false while that chain is being stopped. For a single message's claim.
 */
export const chainNotStoppingSql = (chainSql: string) => `pg_try_advisory_xact_lock_shared(${key(chainSql)})`;

/**
 * Runs `work` while holding the chain's barrier exclusively, on one connection that `work` receives (not in a
 * transaction: `work` opens its own with `manager.transaction`). Waits for claims under way to commit first.
 */
export async function whileStoppingChain<T>(
  dataSource: DataSource,
  chainId: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(${key('$1')})`, [chainId]);
    try {
      return await work(runner.manager);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${key('$1')})`, [chainId]);
    }
  } finally {
    await runner.release();
  }
}
