import { metricsRegistry } from './metrics';
import { countRecovery, recoveryCounts } from './recovery-counters';

const exported = async (action: string) =>
  (await metricsRegistry.getSingleMetric('jiaoying_recovery_actions_total')?.get())?.values.find(
    (v) => v.labels.action === action,
  )?.value;

describe('recovery counters', () => {
  it('counts each kind and logs a recovery line, nothing for zero', async () => {
    const metricBefore = await exported('timer_restored');
    const lines: unknown[] = [];
    const logger = { warn: (m: unknown) => lines.push(m) };
    const before = recoveryCounts();
    countRecovery(logger, 'timer_restored', 3, { warningId: 'w' });
    countRecovery(logger, 'job_rerun', 0);
    const after = recoveryCounts();
    expect(after.timer_restored - before.timer_restored).toBe(3);
    expect(after.job_rerun).toBe(before.job_rerun);
    expect((await exported('timer_restored')) ?? 0).toBe((metricBefore ?? 0) + 3);
    expect(await exported('job_rerun')).toBe(0);
    expect(lines).toEqual([
      { msg: 'recovery: timer restored ×3', recovery: 'timer_restored', count: 3, warningId: 'w' },
    ]);
  });
});
