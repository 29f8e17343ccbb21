import type { Response, Test } from 'supertest';
import { DataSource } from 'typeorm';

/**
 * Shared by the fuzz-*.e2e-spec.ts runs. The seed is printed so that a failure reproduces:
 * `FUZZ_SEED=<seed> npx jest --selectProjects e2e --ci --runInBand test/e2e/fuzz-…`.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Cases per property; FUZZ_RUNS raises it for a longer hunt. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

export function announceSeed(spec: string): void {
  process.stdout.write(`${spec}: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS}\n`);
}

const CJK = /[\u4e00-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{3,}/;

/**
 * What is wrong with a refusal, or null when it is a clear one: a 4xx (never 5xx) whose message (JSON `message`, or
 * the page's text) says it in Chinese and in English.
 */
export function refusalProblem(res: Response): string | null {
  if (res.status < 400 || res.status >= 500) {
    return `status ${res.status}`;
  }
  const body = res.body as { message?: unknown } | undefined;
  const message =
    typeof body?.message === 'string'
      ? body.message
      : Array.isArray(body?.message)
        ? body.message.join('; ')
        : pageText(res.text ?? '');
  if (!CJK.test(message) || !LATIN_WORD.test(message)) {
    return `status ${res.status} with a message not in Chinese and English: ${JSON.stringify(message.slice(0, 200))}`;
  }
  return null;
}

/** The text of an error page (its <main>, or the whole page without tags). */
function pageText(html: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  return main.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ');
}

/** Row counts of every table but the request audit (written for every request by design) and the bookkeeping ones. */
export async function tableCounts(ds: DataSource, except: string[] = []): Promise<Record<string, number>> {
  const tables = (
    await ds.query<Array<{ t: string }>>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'
     AND tablename NOT IN ('migrations', 'spatial_ref_sys', 'request_audit') ORDER BY 1`,
    )
  )
    .map((r) => r.t)
    .filter((t) => !except.includes(t));
  const rows = await ds.query<Array<{ t: string; n: number }>>(
    tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

/** The tables whose counts differ, as `table: before → after`. */
export function countChanges(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} → ${after[t]}`);
}

/** Whether a request polluted Object.prototype (a `__proto__` key merged somewhere). */
export function prototypePolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return ['polluted', 'isAdmin', 'role', 'regionCode', 'state'].some((k) => probe[k] !== undefined);
}

/**
 * Sends requests one at a time and checks each: never 5xx; a 4xx explains itself in Chinese and English and changes
 * no table (row counts of every table, taken again only after a request that was accepted); nothing lands on
 * Object.prototype. Tallies the statuses.
 */
export class HostileRequests {
  readonly statuses: Record<number, number> = {};
  private counts: Record<string, number> | null = null;

  constructor(private readonly ds: DataSource) {}

  async send(what: string, send: () => Test): Promise<number> {
    const before = this.counts ?? (await tableCounts(this.ds));
    const res = await send();
    this.statuses[res.status] = (this.statuses[res.status] ?? 0) + 1;
    this.counts = null;
    if (res.status >= 400) {
      const problem = refusalProblem(res);
      if (problem) {
        throw new Error(`${what}: ${problem} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      const after = await tableCounts(this.ds);
      const changed = countChanges(before, after);
      if (changed.length > 0) {
        throw new Error(`${what}: refused (${res.status}) but wrote ${changed.join(', ')}`);
      }
      this.counts = after;
    }
    if (prototypePolluted()) {
      throw new Error(`${what}: Object.prototype polluted`);
    }
    return res.status;
  }
}
