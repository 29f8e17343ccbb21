import { join } from 'node:path';
import { loadResponseSpecs, resolveSpec, ResponseSpecs, tierSpec, validateResponseSpecs } from './response-spec';

const specs = loadResponseSpecs(join(__dirname, '../../../config/response-specs.default.json'));
const clone = (): ResponseSpecs => JSON.parse(JSON.stringify(specs)) as ResponseSpecs;

describe('resolveSpec', () => {
  it('gives red a 10 minute deadline with SMS/email at once and voice at 3 and 6 minutes', () => {
    const spec = resolveSpec(specs, 'rainstorm', 1, ['500230107'], 1);
    expect(spec.ackDeadlineMs).toBe(600_000);
    expect(spec.ladderMs.map((r) => r.atMs)).toEqual([0, 180_000, 360_000]);
    expect(spec.sectors).toEqual(['flood', 'geo_hazard']);
    expect(spec.publicBroadcast).toBe(true);
  });

  it('scales every duration by the timer scale, tiers included', () => {
    const spec = resolveSpec(specs, 'rainstorm', 2, [], 0.001);
    expect(spec.ackDeadlineMs).toBe(1200);
    expect(spec.ladderMs[1].atMs).toBe(600);
    expect(spec.tiers.map((t) => t.ackDeadlineMs)).toEqual([1200, 1200]);
  });

  it('reminds every tier deadline unless the tier sets its own interval, scaled like the rest', () => {
    expect(resolveSpec(specs, 'rainstorm', 2, [], 0.001).tiers.map((t) => t.reminderIntervalMs)).toEqual([1200, 1200]);
    const slower = clone();
    slower.levels.orange.tiers[1] = { ...slower.levels.orange.tiers[1], reminderIntervalMin: 45 };
    expect(resolveSpec(slower, 'rainstorm', 2, [], 1).tiers.map((t) => t.reminderIntervalMs)).toEqual([
      1_200_000, 2_700_000,
    ]);
    slower.levels.orange.tiers[0] = { ...slower.levels.orange.tiers[0], reminderIntervalMin: 0 };
    expect(validateResponseSpecs(slower)).toEqual([
      'levels.orange.tiers[0].reminderIntervalMin must be a number of minutes above 0',
    ]);
  });

  it('treats blue and advisories as notify-only, calling only duty officers', () => {
    const blue = resolveSpec(specs, 'rainstorm', 4, [], 1);
    expect(blue.requiresAck).toBe(false);
    expect(blue.tiers[0].call).toMatchObject({
      zone: [],
      object: [],
      town: ['duty_officer'],
      contracting: [],
      oneToOne: false,
    });
    expect(resolveSpec(specs, 'rainstorm', null, [], 1).level).toBe('blue');
  });

  it('calls the county commander for red but the county official in charge for orange', () => {
    expect(resolveSpec(specs, 'rainstorm', 1, [], 1).tiers[0].call.county).toContain('commander');
    expect(resolveSpec(specs, 'rainstorm', 2, [], 1).tiers[0].call.county).toEqual(['admin', 'duty_officer']);
  });

  it('applies a town override only when the whole area lies in that town', () => {
    const withOverride = clone();
    withOverride.overrides = [
      { match: { unitCode: '500230107', level: 'red' }, set: { tiers: [{ name: '十直镇方案', ackDeadlineMin: 5 }] } },
    ];
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500230107203', '500230107200'], 1).ackDeadlineMs).toBe(300_000);
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500230107203'], 1).overridesApplied).toEqual([0]);
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500230107203', '500230108200'], 1).ackDeadlineMs).toBe(600_000);
    expect(resolveSpec(withOverride, 'rainstorm', 1, ['500151001'], 1).ackDeadlineMs).toBe(600_000);
    expect(resolveSpec(withOverride, 'rainstorm', 1, [], 1).ackDeadlineMs).toBe(600_000);
  });

  it('matches overrides by sector and lets later ones win', () => {
    const s = clone();
    s.overrides = [
      { match: { sector: 'forest_fire' }, set: { publicBroadcast: false } },
      { match: { sector: 'forest_fire', level: 'orange' }, set: { requiresAck: false } },
    ];
    const fire = resolveSpec(s, 'forest_fire', 2, [], 1);
    expect(fire.publicBroadcast).toBe(false);
    expect(fire.requiresAck).toBe(false);
    expect(fire.tiers.every((t) => !t.requiresAck)).toBe(true);
    expect(resolveSpec(s, 'rainstorm', 2, [], 1).publicBroadcast).toBe(true);
  });

  it('keeps forest-fire warnings away from flood zones and reservoirs', () => {
    const spec = resolveSpec(specs, 'forest_fire', 2, [], 1);
    expect(spec.zoneKinds).toEqual(['forest_area']);
    expect(spec.objectTypes).not.toContain('reservoir');
    expect(spec.sectors).toEqual(['forest_fire']);
  });

  it('puts the same role one tier up between 包干 superior and duty officer', () => {
    expect(resolveSpec(specs, 'flood', 1, [], 1).escalationSteps).toEqual([
      ['backup', 'contracting_superior'],
      ['same_role_up'],
      ['duty_officer'],
      ['commander'],
    ]);
  });
});

describe('tierSpec', () => {
  const red = resolveSpec(specs, 'rainstorm', 1, [], 1);
  it('gives each tier its own deadline and uses the last tier past the list', () => {
    expect(tierSpec(red, 0).name).toContain('第一梯队');
    expect(tierSpec(red, 1).ackDeadlineMs).toBe(600_000);
    expect(tierSpec(red, 9)).toBe(red.tiers[red.tiers.length - 1]);
  });
  it('inherits the level ladder unless the tier has its own', () => {
    const s = clone();
    s.levels.red.tiers[1].ladder = [{ atMin: 0, channels: ['voice'] }];
    const spec = resolveSpec(s, 'rainstorm', 1, [], 1);
    expect(tierSpec(spec, 0).ladder).toEqual(s.levels.red.ladder);
    expect(tierSpec(spec, 1).ladderMs).toEqual([{ atMs: 0, channels: ['voice'] }]);
  });
});

describe('validateResponseSpecs', () => {
  it('accepts the shipped defaults', () => {
    expect(validateResponseSpecs(specs)).toEqual([]);
  });

  it('names every problem with its path', () => {
    const bad = clone();
    bad.levels.red.ladder = [{ atMin: 3, channels: ['sms'] }];
    bad.levels.orange.tiers = [];
    (bad.levels.yellow.tiers[0].call as { contracting: string[] }).contracting = ['county_village'];
    (bad.escalation as { steps: string[][] }).steps = [['backup', 'the_mayor']];
    (bad as { overrides: unknown }).overrides = [{ match: { unitCode: '5002', level: 'purple' }, set: { ladder: [] } }];
    expect(validateResponseSpecs(bad)).toEqual([
      'levels.red.ladder[0].atMin must be 0 (the first rung goes out at once)',
      'levels.orange.tiers needs at least one tier (tier 0 = who is called at once)',
      'levels.yellow.tiers[0].call.contracting must list county_town, town_village, village_group',
      'escalation.steps must be a list of steps, each a list of backup, contracting_superior, same_role_up, duty_officer, commander',
      'overrides[0].match.level must be one of red, orange, yellow, blue',
      'overrides[0].match.unitCode must be a 6, 9 or 12 digit division code',
      'overrides[0].set.ladder needs a ladder of 1 to 8 rungs',
    ]);
  });

  it('refuses rungs out of order and non-objects', () => {
    const s = clone();
    s.levels.red.ladder = [
      { atMin: 0, channels: ['sms'] },
      { atMin: 0, channels: ['voice'] },
    ];
    expect(validateResponseSpecs(s)).toEqual(['levels.red.ladder[1].atMin must be later than the rung before']);
    expect(validateResponseSpecs([])).toEqual(['the spec must be a JSON object']);
  });
});
