import { DivisionTree } from './division-tree';
import { fakeMobile, fakeName } from './names';
import { planProtectedObjects } from './protected-objects';
import { planRiskZones } from './risk-zones';
import { buildRoster, chunk, DEMO_EMAIL_DOMAIN } from './roster';
import { Prng } from './deterministic-id';

describe('demo plan (zones, objects, roster)', () => {
  const tree = DivisionTree.load();
  const zones = planRiskZones(tree);
  const objects = planProtectedObjects(tree);
  const roster = buildRoster(tree, zones, objects);

  it('is deterministic', () => {
    const again = buildRoster(tree, planRiskZones(tree), planProtectedObjects(tree));
    expect(again).toEqual(roster);
    expect(planRiskZones(tree)).toEqual(zones);
  });

  it('gives unique ids and codes', () => {
    const { persons, contacts, assignments, contracting, residents } = roster;
    const ids = [...persons, ...contacts, ...assignments, ...contracting, ...residents].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(zones.map((z) => z.code)).size).toBe(zones.length);
    expect(new Set(objects.map((o) => o.code)).size).toBe(objects.length);
  });

  it('plans the S1 zones of 十直镇', () => {
    const shizhi = zones.filter((z) => z.townCode === '500230107');
    const flashFlood = shizhi.filter((z) => z.kind === 'flash_flood_danger_zone');
    expect(flashFlood.map((z) => [z.code, z.households, z.persons])).toEqual([
      ['FF-500230107-01', 18, 57],
      ['FF-500230107-02', 11, 34],
      ['FF-500230107-03', 23, 71],
    ]);
    expect(shizhi.filter((z) => z.kind === 'hazard_point')).toHaveLength(2);
    const waterlogging = zones.filter((z) => z.kind === 'waterlogging_point');
    expect(waterlogging.every((z) => tree.get(z.townCode).name.endsWith('街道'))).toBe(true);
  });

  it('gives every person an email and a 170/171 mobile except the deliberate gaps', () => {
    const gaps = new Set(roster.names.personsWithoutUsableContact);
    expect(gaps.size).toBe(2);
    const mobiles = new Map<string, string>();
    for (const c of roster.contacts) {
      if (c.channel === 'email') {
        expect(c.address).toMatch(new RegExp(`^[a-z0-9.-]+@${DEMO_EMAIL_DOMAIN.replace(/\./g, '\\.')}$`));
      } else {
        expect(c.address).toMatch(/^17[01]\d{8}$/);
        if (c.channel === 'sms') {
          expect(mobiles.has(c.address)).toBe(false);
          mobiles.set(c.address, c.personId);
        }
      }
    }
    const reachable = new Set(roster.contacts.filter((c) => c.invalidAt === null).map((c) => c.personId));
    const unreachable = roster.persons.filter((p) => !reachable.has(p.id)).map((p) => p.id);
    expect(unreachable.sort()).toEqual([...gaps].sort());
  });

  it('fills the three slots per sector on every town', () => {
    for (const town of tree.ofLevel('town')) {
      for (const sector of ['flood', 'geo_hazard', 'forest_fire']) {
        const slots = roster.assignments
          .filter((a) => a.targetType === 'unit' && a.targetId === town.code && a.sector === sector)
          .map((a) => a.roleSlot)
          .sort();
        expect(slots).toEqual(['admin', 'patrol', 'technical']);
      }
    }
  });

  it('contracts every town to a county leader and every village to a town leader', () => {
    const contracted = new Set(roster.contracting.map((c) => c.adminUnitCode));
    expect(tree.ofLevel('town').every((t) => contracted.has(t.code))).toBe(true);
    expect(tree.ofLevel('village').every((v) => contracted.has(v.code))).toBe(true);
    expect(roster.contracting).toHaveLength(58 + 671);
  });

  it('marks a few assignments expired', () => {
    const expired = roster.assignments.filter((a) => a.validTo !== null);
    expect(expired.map((a) => a.id).sort()).toEqual([...roster.names.expiredAssignmentIds].sort());
    expect(expired.length).toBeGreaterThanOrEqual(2);
  });
});

describe('helpers', () => {
  it('chunks contiguously and evenly', () => {
    expect(chunk([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
  });

  it('makes fake names and unique mobiles deterministically', () => {
    const a = new Prng('n');
    const b = new Prng('n');
    expect(Array.from({ length: 5 }, () => fakeName(a))).toEqual(Array.from({ length: 5 }, () => fakeName(b)));
    const taken = new Set<string>();
    const first = fakeMobile('k', taken);
    const second = fakeMobile('k', taken);
    expect(second).not.toBe(first);
    expect(fakeMobile('k', new Set())).toBe(first);
  });
});
