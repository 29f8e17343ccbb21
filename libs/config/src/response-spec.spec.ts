import { join } from 'node:path';
import { loadResponseSpecs, resolveSpec } from './response-spec';

const specs = loadResponseSpecs(join(__dirname, '../../../config/response-specs.default.json'));

describe('resolveSpec', () => {
  it('gives red a 10 minute deadline with SMS/email at once and voice at 3 and 6 minutes', () => {
    const spec = resolveSpec(specs, 'rainstorm', 1, ['500230107'], 1);
    expect(spec.ackDeadlineMs).toBe(600_000);
    expect(spec.ladderMs.map((r) => r.atMs)).toEqual([0, 180_000, 360_000]);
    expect(spec.sectors).toEqual(['flood', 'geo_hazard']);
  });

  it('scales every duration by the timer scale', () => {
    const spec = resolveSpec(specs, 'rainstorm', 2, [], 0.001);
    expect(spec.ackDeadlineMs).toBe(1200);
    expect(spec.ladderMs[1].atMs).toBe(600);
  });

  it('treats blue and advisories as notify-only', () => {
    expect(resolveSpec(specs, 'rainstorm', 4, [], 1).requiresAck).toBe(false);
    expect(resolveSpec(specs, 'rainstorm', null, [], 1).level).toBe('blue');
  });

  it('applies a town override only inside that town', () => {
    const withOverride = {
      ...specs,
      overrides: [{ match: { unitCode: '500230107', level: 'red' as const }, set: { ackDeadlineMin: 5 } }],
    };
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500230107203'], 1).ackDeadlineMs).toBe(300_000);
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500151001'], 1).ackDeadlineMs).toBe(600_000);
  });

  it('keeps forest-fire warnings away from flood zones', () => {
    const spec = resolveSpec(specs, 'forest_fire', 2, [], 1);
    expect(spec.zoneKinds).toEqual(['forest_area']);
    expect(spec.sectors).toEqual(['forest_fire']);
  });
});
