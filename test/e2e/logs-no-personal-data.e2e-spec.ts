import { readFileSync } from 'node:fs';
import { waitFor } from '@app/common';
import { specFile } from '@app/testing';
import { FaultRun } from '../support/fault-run';

const SHIZHI = '500230107';
/** Any mainland mobile number written out in full (a masked one keeps its last four digits only). */
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/;

/**
 * Every app at LOG_LEVEL=debug through a whole warning: ingest, matching, SMS and email to a town, the carrier's
 * receipts, the silent escalated and their 督办 sent. Not one log line holds a phone number in full, nor an e-mail
 * address of a person or user of the roster.
 */
describe('logs of a full run hold no phone number or e-mail address in the clear', () => {
  const run = new FaultRun('logs');

  beforeAll(
    () =>
      run.start({
        LOG_LEVEL: 'debug',
        RESPONSE_SPEC_FILE: specFile((levels) => {
          levels.red.ladder = [{ atMin: 0, channels: ['sms', 'email'] }];
          levels.red.tiers.forEach((t) => Object.assign(t, { ackDeadlineMin: 10 / 60, reminderIntervalMin: 60 }));
        }, 'logs'),
        ESCALATION_GATHER_MS: '500',
      }),
    120_000,
  );
  afterAll(() => run.stop());

  it('masks every phone number and e-mail address in every app log', async () => {
    const warningId = await run.warn(`LOGS-${Date.now()}`, SHIZHI, '十直镇');
    // The silent escalated at the 10-s deadline and the 督办 of that round sent (not only the at-once one of the
    // person without a contact).
    await waitFor(
      async () =>
        (await run.count(
          `SELECT count(*)::int AS n FROM escalation_notices n WHERE n.warning_id = $1 AND n.sent_at > (
         SELECT min(at) FROM events WHERE warning_id = $1 AND type = 'CallEscalated' AND data->>'reason' = 'no_ack')`,
          [warningId],
        )) > 0,
      { what: '督办 of the silent sent', timeoutMs: 120_000, intervalMs: 250 },
    );
    await run.settled(warningId);
    await waitFor(
      async () =>
        (await run.count(`SELECT count(*)::int AS n FROM notices WHERE status IN ('queued', 'sending')`, [])) === 0,
      { what: 'notices sent', timeoutMs: 60_000, intervalMs: 250 },
    );

    const emails = (
      await run.ds.query<Array<{ address: string }>>(`SELECT address FROM contact_methods WHERE channel = 'email'`)
    ).map((r) => r.address.toLowerCase());
    const lines = run.apps.logs.flatMap((file) => readFileSync(file, 'utf8').split('\n'));
    const leaks = lines.filter((l) => MOBILE.test(l) || emails.some((e) => l.toLowerCase().includes(e)));
    process.stdout.write(
      `logs: ${lines.length} lines from ${run.apps.logs.length} apps, ${leaks.length} with a phone number or e-mail address\n`,
    );
    expect(lines.length).toBeGreaterThan(100);
    expect(leaks.slice(0, 5)).toEqual([]);
  }, 240_000);
});
