import { DataSource } from 'typeorm';

/** Helpers for the ingest e2e specs (ingest-*.e2e-spec.ts). */
export { startApiOnly } from '../support/api-app';
export type { ApiOnly } from '../support/api-app';
export { issueApiKey as issueKey } from '@app/testing';

/**
 * What an ingest writes: warnings, and events of no warning (a refused feed entry, a silent source) or of a warning's
 * arrival. Not the events of the work on warnings accepted earlier (matching, sends, escalations), which go on in
 * the background while a later request is refused.
 */
export async function rowCounts(ds: DataSource): Promise<{ warnings: number; events: number }> {
  const [row] = await ds.query<Array<{ warnings: number; events: number }>>(
    `SELECT (SELECT count(*)::int FROM warnings) AS warnings,
            (SELECT count(*)::int FROM events
             WHERE warning_id IS NULL OR type IN ('WarningReceived', 'WarningTriaged', 'WarningIssued', 'WarningDraftPreviewed')) AS events`,
  );
  return row;
}

/** A CAP dateTime string as the fixtures write it. */
export function capTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

interface AlarmAnswer {
  action: string;
  colour: string | null;
  warningId: string | null;
  outcome?: string;
}

/** The JSON answers of the ingest endpoints, loosely typed for assertions. */
export interface Answer {
  id: string;
  chainId: string;
  version: number;
  outcome: string;
  drill: boolean;
  draftId: string;
  alreadyIssued: boolean;
  message: string;
  error: string;
  details: { field?: string; problem?: string; [k: string]: unknown };
  state: string;
  approvalsRequired: number;
  approvals: unknown[];
  ready: boolean;
  updatesWarningId: string | null;
  preview: { counts: { total: number; byTown: Array<{ code: string }> } };
  duplicate: boolean;
  rainfall: Record<string, number> | null;
  level: AlarmAnswer;
  rain: AlarmAnswer;
  action: string;
  colour: string | null;
  warningId: string | null;
}

export function answer(res: { body: unknown }): Answer {
  return res.body as Answer;
}
