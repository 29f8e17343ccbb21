import { DataSource } from 'typeorm';
import { openTestDataSource, resetDatabase } from '@app/testing';
import { demoId, fixedStaff, ProvinceSummary, seedProvince, seedDemo } from '@app/demo';

/** Digests of the province's ids (and outlines) per table, to compare two loads. */
async function snapshot(ds: DataSource): Promise<Record<string, string>> {
  const [row] = await ds.query<Array<Record<string, string>>>(`SELECT
    (SELECT md5(string_agg(code || ':' || md5(ST_AsEWKB(geom)::text), ',' ORDER BY code)) FROM admin_units WHERE code LIKE '5098%') AS units,
    (SELECT md5(string_agg(id::text || ':' || md5(ST_AsEWKB(geom)::text), ',' ORDER BY id)) FROM risk_zones WHERE admin_unit_code LIKE '5098%') AS zones,
    (SELECT md5(string_agg(id::text || name || coalesce(backup_person_id::text, ''), ',' ORDER BY id)) FROM persons WHERE admin_unit_code LIKE '5098%') AS persons,
    (SELECT md5(string_agg(id::text || address, ',' ORDER BY id)) FROM contact_methods) AS contacts,
    (SELECT md5(string_agg(id::text || person_id::text, ',' ORDER BY id)) FROM responsibility_assignments) AS assignments,
    (SELECT md5(string_agg(id::text || leader_person_id::text, ',' ORDER BY id)) FROM contracting_assignments) AS contracting`);
  return row;
}

describe('province generator (e2e, 2 counties)', () => {
  let ds: DataSource;
  let summary: ProvinceSummary;

  beforeAll(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    summary = await seedProvince(ds, { size: { counties: 2 } });
  });

  afterAll(async () => {
    await resetDatabase(ds);
    await ds.destroy();
  });

  it('builds the tiers in Chongqing proportions, with the persons asked for', () => {
    expect(summary.action).toBe('seeded');
    expect(summary.size).toEqual({ counties: 2, towns: 53, villages: 579, persons: 10_526, zonesPerVillage: 2 });
    expect(summary.countyCodes).toEqual(['509801', '509802']);
    expect(summary.counts).toMatchObject({ counties: 2, towns: 53, villages: 579, riskZones: 1_158, persons: 10_526 });
  });

  it('gives every unit an outline inside its parent and every zone a polygon inside its village', async () => {
    expect(summary.counts.unitsWithoutOutline).toBe(0);
    const [row] = await ds.query<Array<{ outside: number; zones_outside: number }>>(`SELECT
      (SELECT count(*) FROM admin_units c JOIN admin_units p ON p.code = c.parent_code
        WHERE c.code LIKE '5098%' AND NOT ST_CoveredBy(c.geom, ST_Buffer(p.geom, 1e-7)))::int AS outside,
      (SELECT count(*) FROM risk_zones z JOIN admin_units v ON v.code = z.admin_unit_code
        WHERE v.level = 'village' AND z.admin_unit_code LIKE '5098%' AND NOT ST_IsEmpty(z.geom)
          AND NOT ST_CoveredBy(z.geom, ST_Buffer(v.geom, 1e-7)))::int AS zones_outside`);
    expect(row).toEqual({ outside: 0, zones_outside: 0 });
  });

  it('gives every person an SMS and a voice contact, numbers unique, and at least one post', async () => {
    expect(summary.counts.personsWithoutContact).toBe(0);
    expect(summary.counts.contactMethods).toBe(2 * 10_526);
    const [row] = await ds.query<Array<{ numbers: number; idle: number; grid: number }>>(`SELECT
      (SELECT count(DISTINCT address) FROM contact_methods WHERE channel = 'sms')::int AS numbers,
      (SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM responsibility_assignments a WHERE a.person_id = p.id)
         AND NOT EXISTS (SELECT 1 FROM contracting_assignments c WHERE c.leader_person_id = p.id))::int AS idle,
      (SELECT count(*) FROM persons WHERE title LIKE '%网格员')::int AS grid`);
    expect(row.numbers).toBe(10_526);
    expect(row.idle).toBe(0);
    expect(row.grid).toBe(10_526 - fixedStaff(summary.size));
  });

  it('names rows with the demo ids (UUID v5 of the key), computed in SQL as in Node', async () => {
    const village = '509801001200';
    const [person] = await ds.query<Array<{ id: string; title: string }>>(
      `SELECT id, title FROM persons WHERE id = $1`,
      [demoId(`person:village:${village}:secretary`)],
    );
    expect(person).toEqual({ id: demoId(`person:village:${village}:secretary`), title: '村党支部书记' });
    const [contact] = await ds.query<Array<{ person_id: string }>>(
      `SELECT person_id FROM contact_methods WHERE id = $1`,
      [demoId(`contact:village:${village}:secretary:sms`)],
    );
    expect(contact.person_id).toBe(person.id);
  });

  it('is the same province when loaded again with force, and is left alone without it', async () => {
    const before = await snapshot(ds);
    expect((await seedProvince(ds, { size: { counties: 2 } })).action).toBe('existing');
    const again = await seedProvince(ds, { size: { counties: 2 }, force: true });
    expect(again.action).toBe('seeded');
    expect(again.counts).toEqual(summary.counts);
    expect(await snapshot(ds)).toEqual(before);
  });

  it('loads beside the demo district without touching it', async () => {
    const demo = await seedDemo(ds);
    expect(demo.action).toBe('seeded');
    const [row] = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM persons WHERE admin_unit_code LIKE '5098%'`,
    );
    expect(row.n).toBe(10_526);
  });
});
