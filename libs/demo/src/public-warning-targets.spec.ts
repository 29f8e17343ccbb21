import { planDemo } from './seed-demo';

describe('demo residents and loudspeakers', () => {
  const { zones, publicTargets } = planDemo();
  const high = zones.filter((z) => ['very_high', 'high', 'extreme'].includes(z.riskGrade));

  it('lists phones for every inhabited high-risk zone and none elsewhere', () => {
    const withPhones = new Set(publicTargets.phones.map((p) => p.riskZoneId));
    expect(high.filter((z) => z.households > 0).every((z) => withPhones.has(z.id))).toBe(true);
    expect([...withPhones].every((id) => high.some((z) => z.id === id))).toBe(true);
    expect(new Set(publicTargets.phones.map((p) => p.phone)).size).toBe(publicTargets.phones.length);
    expect(publicTargets.phones.every((p) => /^1729\d{7}$/.test(p.phone))).toBe(true);
  });

  it('puts one loudspeaker in each town that has a high-risk zone, in its highest-risk zone', () => {
    const towns = new Set(high.map((z) => z.townCode));
    expect(publicTargets.loudspeakers).toHaveLength(towns.size);
    const shizhi = publicTargets.loudspeakers.filter((l) => l.adminUnitCode.startsWith('500230107'));
    expect(shizhi).toHaveLength(1);
    expect(zones.find((z) => z.id === shizhi[0].riskZoneId)?.riskGrade).toBe('very_high');
  });
});
