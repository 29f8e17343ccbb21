import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '@app/common';
import { resetDatabase } from '@app/testing';
import { AckLinks } from '@app/calls';
import { capXml, CapOptions } from '../support/cap-builder';
import { Pipeline } from '../support/pipeline';

/** Helpers shared by the response-* and scenario-* specs. */
export { issueApiKey as issueKey } from '@app/testing';

/** Debian's chromium, headless, for the page tests (playwright-core with executablePath '/usr/bin/chromium'). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function postCap(p: Pipeline, key: string, o: CapOptions): Promise<{ id: string; outcome: string }> {
  const res = await request(p.server)
    .post('/api/v1/alerts')
    .set('Authorization', `Bearer ${key}`)
    .set('Content-Type', 'application/cap+xml')
    .send(capXml(o));
  if (res.status >= 300) {
    throw new Error(`CAP refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body as { id: string; outcome: string };
}

export async function waitMatched(ds: DataSource, warningId: string): Promise<void> {
  await waitFor(
    async () =>
      (await ds.query<unknown[]>(`SELECT 1 FROM events WHERE warning_id = $1 AND type = 'WarningMatched'`, [warningId]))
        .length > 0,
    { what: `warning ${warningId} matched`, timeoutMs: 20_000 },
  );
}

export interface TaskRow {
  id: string;
  person_id: string;
  state: string;
  tier: number;
  requires_ack: boolean;
  reasons: Array<{ kind: string; roleSlot?: string; targetId?: string; targetType?: string }>;
}

export async function tasksOf(ds: DataSource, warningId: string): Promise<TaskRow[]> {
  return ds.query<TaskRow[]>(
    `SELECT id, person_id, state, tier, requires_ack, reasons FROM call_tasks WHERE warning_id = $1 ORDER BY tier, id`,
    [warningId],
  );
}

/** The token the person's link carries (same signer as the messages). */
export function tokenFor(p: Pipeline, task: { id: string; person_id: string }): string {
  return p.app.get(AckLinks).token(task.id, task.person_id, null);
}

export async function answer(
  p: Pipeline,
  task: { id: string; person_id: string },
  response = 'received',
  extra: object = {},
) {
  return request(p.server)
    .post(`/api/v1/ack/${tokenFor(p, task)}`)
    .send({ response, ...extra });
}

export async function stateOf(ds: DataSource, taskId: string): Promise<string> {
  const [t] = await ds.query<Array<{ state: string }>>(`SELECT state FROM call_tasks WHERE id = $1`, [taskId]);
  return t.state;
}

/** A CAP date-time (with offset) this many ms from now. */
export function capTime(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * resetDatabase, retried: jobs a previous spec left in Redis can run for a moment after the pipeline starts (its queues
 * are emptied after the workers start), and a TRUNCATE racing them may deadlock.
 */
export async function resetQuietly(ds: DataSource): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await resetDatabase(ds);
      return;
    } catch (e) {
      if (attempt >= 5 || !String((e as Error).message).includes('deadlock')) {
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
