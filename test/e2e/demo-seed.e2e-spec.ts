import { DataSource } from 'typeorm';
import { openTestDataSource, resetDatabase } from '@app/testing';
import { DEMO_STATIONS, DemoSeedError, DemoSummary, seedDemo } from '@app/demo';

/** Ordered ids (and geometry digests) of every demo table, to compare two loads. */
async function snapshot(ds: DataSource): Promise<Record<string, string>> {
  const [row] = await ds.query<Array<Record<string, string>>>(`SELECT
    (SELECT md5(string_agg(code || ':' || coalesce(md5(ST_AsEWKB(geom)::text), '-'), ',' ORDER BY code)) FROM admin_units) AS units,
    (SELECT md5(string_agg(id::text || ':' || md5(ST_AsEWKB(geom)::text), ',' ORDER BY id)) FROM risk_zones) AS zones,
    (SELECT md5(string_agg(id::text || ':' || ST_AsText(geom), ',' ORDER BY id)) FROM protected_objects) AS objects,
    (SELECT md5(string_agg(id::text || name || coalesce(backup_person_id::text, ''), ',' ORDER BY id)) FROM persons) AS persons,
    (SELECT md5(string_agg(id::text || address, ',' ORDER BY id)) FROM contact_methods) AS contacts,
    (SELECT md5(string_agg(id::text || person_id::text, ',' ORDER BY id)) FROM responsibility_assignments) AS assignments,
    (SELECT md5(string_agg(id::text || leader_person_id::text, ',' ORDER BY id)) FROM contracting_assignments) AS contracting,
    (SELECT md5(string_agg(id::text || caller_person_id::text, ',' ORDER BY id)) FROM special_residents) AS residents`);
  return row;
}

describe('demo seed (e2e)', () => {
  let ds: DataSource;
  let summary: DemoSummary;

  beforeAll(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    summary = await seedDemo(ds);
  });

  afterAll(async () => {
    await resetDatabase(ds);
    await ds.destroy();
  });

  it('loads the real division tree of 铜梁区 and 丰都县 plus the three upper rows', async () => {
    expect(summary.action).toBe('seeded');
    const [row] = await ds.query<Array<Record<string, number>>>(`SELECT
      count(*) FILTER (WHERE code LIKE '500151%' OR code LIKE '500230%')::int AS counties,
      count(*) FILTER (WHERE code IN ('500000', '500100', '500200'))::int AS upper,
      count(*) FILTER (WHERE level = 'village')::int AS villages,
      count(*) FILTER (WHERE level = 'town')::int AS towns,
      count(*) FILTER (WHERE level IN ('town', 'village') AND NOT geom_synthetic)::int AS real_small,
      count(*) FILTER (WHERE level = 'county' AND geom_synthetic)::int AS synthetic_counties,
      count(*) FILTER (WHERE code NOT IN ('500000', '500100', '500200')
        AND (geom IS NULL OR NOT ST_IsValid(geom) OR ST_GeometryType(geom) <> 'ST_MultiPolygon'))::int AS bad_geom
      FROM admin_units`);
    expect(row).toEqual({
      counties: 731,
      upper: 3,
      villages: 671,
      towns: 58,
      real_small: 0,
      synthetic_counties: 0,
      bad_geom: 0,
    });
    expect(summary.counts.adminUnits).toBe(734);

    const shizhi = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM admin_units WHERE parent_code = '500230107' AND level = 'village'`,
    );
    expect(shizhi[0].n).toBe(18);
    expect(summary.shizhi.townCode).toBe('500230107');
    expect(summary.shizhi.townName).toBe('十直镇');
  });

  it('puts the county outlines in WGS84 where 铜梁 and 丰都 are', async () => {
    const rows = await ds.query<Array<{ code: string; lon: number; lat: number }>>(
      `SELECT code, ST_X(ST_Centroid(geom)) AS lon, ST_Y(ST_Centroid(geom)) AS lat FROM admin_units
       WHERE level = 'county' ORDER BY code`,
    );
    expect(rows.map((r) => r.code)).toEqual(['500151', '500230']);
    // DataV centroids (GCJ-02) 106.0332,29.81109 and 107.830885,29.884753, shifted by about −0.004/+0.0025.
    expect(rows[0].lon).toBeCloseTo(106.0332 - 0.0039, 2);
    expect(rows[0].lat).toBeCloseTo(29.81109 + 0.0025, 2);
    expect(rows[1].lon).toBeCloseTo(107.830885 - 0.0039, 2);
  });

  it('nests every synthetic village in its town and every town in its county', async () => {
    const bad = await ds.query<unknown[]>(`
      SELECT c.code FROM admin_units c JOIN admin_units p ON p.code = c.parent_code
      WHERE c.level IN ('town', 'village') AND NOT ST_CoveredBy(c.geom, ST_Buffer(p.geom, 0.00001))`);
    expect(bad).toEqual([]);
  });

  it('places every risk zone inside its village, as valid synthetic polygons', async () => {
    const [row] = await ds.query<Array<Record<string, number>>>(`
      SELECT count(*)::int AS zones,
        count(*) FILTER (WHERE v.level <> 'village')::int AS not_village,
        count(*) FILTER (WHERE NOT ST_CoveredBy(z.geom, ST_Buffer(v.geom, 0.00001)))::int AS outside,
        count(*) FILTER (WHERE ST_IsEmpty(z.geom) OR NOT z.synthetic)::int AS bad
      FROM risk_zones z JOIN admin_units v ON v.code = z.admin_unit_code`);
    expect(row.zones).toBe(summary.counts.riskZones);
    expect(row.zones).toBeGreaterThan(200);
    expect(row).toMatchObject({ not_village: 0, outside: 0, bad: 0 });

    const objectsOutside = await ds.query<unknown[]>(`
      SELECT o.code FROM protected_objects o JOIN admin_units v ON v.code = o.admin_unit_code
      WHERE NOT ST_CoveredBy(o.geom, v.geom)`);
    expect(objectsOutside).toEqual([]);
  });

  it('gives 十直镇 the S1 zones, special residents and hydropower station', async () => {
    const zones = await ds.query<Array<{ kind: string; n: number; persons: number }>>(
      `SELECT kind, count(*)::int AS n, sum(threatened_persons)::int AS persons FROM risk_zones
       WHERE code LIKE '%-500230107-%' GROUP BY kind`,
    );
    const byKind = Object.fromEntries(zones.map((z) => [z.kind, z.n]));
    expect(byKind.flash_flood_danger_zone).toBeGreaterThanOrEqual(3);
    expect(byKind.hazard_point).toBeGreaterThanOrEqual(2);
    expect(summary.shizhi.flashFloodZoneIds).toHaveLength(3);

    const residents = await ds.query<Array<{ group_type: string }>>(
      `SELECT r.group_type FROM special_residents r JOIN risk_zones z ON z.id = r.risk_zone_id
       WHERE z.code LIKE '%-500230107-%' AND z.kind IN ('flash_flood_danger_zone', 'hazard_point')`,
    );
    expect(residents.map((r) => r.group_type).sort()).toEqual([
      'bedridden',
      'disabled',
      'elderly_alone',
      'elderly_alone',
    ]);

    const hydro = await ds.query<Array<{ admin_unit_code: string }>>(
      `SELECT admin_unit_code FROM protected_objects WHERE id = $1 AND type = 'hydropower'`,
      [summary.shizhi.hydropowerObjectId],
    );
    expect(hydro[0].admin_unit_code.startsWith('500230107')).toBe(true);
    const slots = await ds.query<Array<{ role_slot: string }>>(
      `SELECT role_slot FROM responsibility_assignments WHERE target_type = 'object' AND target_id = $1 ORDER BY role_slot`,
      [summary.shizhi.hydropowerObjectId],
    );
    expect(slots.map((s) => s.role_slot)).toEqual(['admin', 'patrol', 'technical']);
  });

  it('gives every town the three 责任人 slots for flood, geo_hazard and forest_fire', async () => {
    const gaps = await ds.query<unknown[]>(`
      SELECT t.code, s.sector, r.slot FROM admin_units t
      CROSS JOIN unnest(ARRAY['flood', 'geo_hazard', 'forest_fire']) AS s(sector)
      CROSS JOIN unnest(ARRAY['admin', 'technical', 'patrol']) AS r(slot)
      WHERE t.level = 'town' AND NOT EXISTS (
        SELECT 1 FROM responsibility_assignments a
        WHERE a.target_type = 'unit' AND a.target_id = t.code AND a.sector = s.sector AND a.role_slot = r.slot)`);
    expect(gaps).toEqual([]);
    const [mayor] = await ds.query<Array<{ title: string; backup_person_id: string }>>(
      `SELECT p.title, p.backup_person_id FROM persons p JOIN responsibility_assignments a ON a.person_id = p.id
       WHERE a.target_id = '500230107' AND a.sector = 'flood' AND a.role_slot = 'admin'`,
    );
    expect(mayor.title).toBe('镇长');
    expect(mayor.backup_person_id).toBe(summary.shizhi.partySecretaryId);
  });

  it('has a 包干 chain county leader → town 包村 leader → 十直镇 village', async () => {
    const { villageCode, villageDirectorId, townLeaderId, countyLeaderId } = summary.shizhi;
    const rows = await ds.query<Array<Record<string, string>>>(
      `SELECT cv.leader_person_id AS town_leader, lp.admin_unit_code AS town_leader_unit, ct.leader_person_id AS county_leader,
              cp.admin_unit_code AS county_leader_unit
       FROM contracting_assignments cv
       JOIN persons lp ON lp.id = cv.leader_person_id
       JOIN contracting_assignments ct ON ct.admin_unit_code = lp.admin_unit_code AND ct.level = 'county_town'
       JOIN persons cp ON cp.id = ct.leader_person_id
       WHERE cv.admin_unit_code = $1 AND cv.level = 'town_village'`,
      [villageCode],
    );
    expect(rows).toEqual([
      {
        town_leader: townLeaderId,
        town_leader_unit: '500230107',
        county_leader: countyLeaderId,
        county_leader_unit: '500230',
      },
    ]);
    const [director] = await ds.query<Array<{ admin_unit_code: string; backup_person_id: string }>>(
      `SELECT admin_unit_code, backup_person_id FROM persons WHERE id = $1`,
      [villageDirectorId],
    );
    expect(director).toEqual({ admin_unit_code: villageCode, backup_person_id: summary.shizhi.villageSecretaryId });
  });

  it('staffs every risk zone with admin, monitor and patrol, and every village with its cadres', async () => {
    const zoneGaps = await ds.query<unknown[]>(`
      SELECT z.code, r.slot FROM risk_zones z CROSS JOIN unnest(ARRAY['admin', 'monitor', 'patrol']) AS r(slot)
      WHERE NOT EXISTS (SELECT 1 FROM responsibility_assignments a
        WHERE a.target_type = 'zone' AND a.target_id = z.id::text AND a.role_slot = r.slot)`);
    expect(zoneGaps).toEqual([]);
    const villageGaps = await ds.query<unknown[]>(`
      SELECT v.code, r.slot FROM admin_units v CROSS JOIN unnest(ARRAY['party_secretary', 'admin', 'grid_worker']) AS r(slot)
      WHERE v.level = 'village' AND NOT EXISTS (SELECT 1 FROM responsibility_assignments a
        WHERE a.target_type = 'unit' AND a.target_id = v.code AND a.role_slot = r.slot)`);
    expect(villageGaps).toEqual([]);
  });

  it('leaves something for the roster fitness report to find', async () => {
    const unreachable = await ds.query<Array<{ id: string }>>(`
      SELECT p.id FROM persons p WHERE NOT EXISTS (
        SELECT 1 FROM contact_methods c WHERE c.person_id = p.id AND c.invalid_at IS NULL) ORDER BY p.id`);
    expect(unreachable.length).toBeGreaterThanOrEqual(2);
    expect(unreachable.map((r) => r.id).sort()).toEqual([...summary.personsWithoutUsableContact].sort());

    const expired = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM responsibility_assignments WHERE valid_to < now()::date ORDER BY id`,
    );
    expect(expired.map((r) => r.id)).toEqual([...summary.expiredAssignmentIds].sort());

    const contacts = await ds.query<Array<Record<string, number>>>(`
      SELECT count(*) FILTER (WHERE channel = 'email' AND address NOT LIKE '%@demo.jiaoying.local')::int AS bad_email,
             count(*) FILTER (WHERE channel IN ('sms', 'voice') AND address !~ '^17[01][0-9]{8}$')::int AS bad_mobile
      FROM contact_methods`);
    expect(contacts[0]).toEqual({ bad_email: 0, bad_mobile: 0 });
  });

  it('gives the residents of every high-risk zone a phone list, every town a loudspeaker, and villages shelters', async () => {
    const [row] = await ds.query<Array<Record<string, number>>>(`SELECT
      (SELECT count(*) FROM risk_zones z WHERE z.risk_grade IN ('high', 'very_high', 'extreme') AND z.threatened_households > 0
         AND NOT EXISTS (SELECT 1 FROM resident_phones r WHERE r.risk_zone_id = z.id))::int AS zones_without_phones,
      (SELECT count(*) FROM admin_units t WHERE t.level = 'town'
         AND EXISTS (SELECT 1 FROM risk_zones z WHERE z.admin_unit_code LIKE t.code || '%' AND z.risk_grade IN ('high', 'very_high'))
         AND NOT EXISTS (SELECT 1 FROM broadcast_devices d WHERE d.admin_unit_code LIKE t.code || '%'))::int AS towns_without_speaker,
      (SELECT count(*) FROM broadcast_devices d JOIN risk_zones z ON z.id = d.risk_zone_id
         WHERE z.risk_grade NOT IN ('high', 'very_high', 'extreme'))::int AS speakers_off_high_risk,
      (SELECT count(*) FROM shelters s WHERE NOT EXISTS (SELECT 1 FROM risk_zones z WHERE z.admin_unit_code = s.admin_unit_code))::int
        AS shelters_without_zone`);
    expect(row).toEqual({
      zones_without_phones: 0,
      towns_without_speaker: 0,
      speakers_off_high_risk: 0,
      shelters_without_zone: 0,
    });
    expect(summary.counts.residentPhones).toBeGreaterThan(0);
    expect(summary.counts.loudspeakers).toBeGreaterThan(0);
    expect(summary.counts.shelters).toBeGreaterThan(0);
    const shizhi = await ds.query<unknown[]>(`SELECT 1 FROM broadcast_devices WHERE admin_unit_code LIKE '500230107%'`);
    expect(shizhi).toHaveLength(1);
  });

  it('loads the demo stations, whose readings raise sensor warnings', async () => {
    expect(summary.counts.stations).toBe(DEMO_STATIONS.length);
    const rows = await ds.query<Array<{ code: string; kind: string; admin_unit_code: string }>>(
      `SELECT code, kind, admin_unit_code FROM stations WHERE synthetic AND geom IS NOT NULL ORDER BY code`,
    );
    expect(rows).toEqual(
      DEMO_STATIONS.map((s) => ({ code: s.code, kind: s.kind, admin_unit_code: s.unit })).sort((a, b) =>
        a.code.localeCompare(b.code),
      ),
    );
  });

  it('returns the existing summary without writing when already loaded', async () => {
    const again = await seedDemo(ds);
    expect(again.action).toBe('existing');
    expect(again.counts).toEqual(summary.counts);
    expect(again.shizhi).toEqual(summary.shizhi);
  });

  it('reloads with force to the same ids, geometry and counts', async () => {
    // A station's reading does not stop a reload (it goes with its station).
    await ds.query(
      `INSERT INTO station_readings (station_id, at, water_level, received_at) SELECT id, now(), 1, now() FROM stations LIMIT 1`,
    );
    const before = await snapshot(ds);
    const reloaded = await seedDemo(ds, { force: true });
    expect(reloaded.action).toBe('seeded');
    expect(reloaded.counts).toEqual(summary.counts);
    expect(reloaded.shizhi).toEqual(summary.shizhi);
    expect(await snapshot(ds)).toEqual(before);
  });

  it('reloads with force next to rows it does not own, and leaves those alone', async () => {
    await ds.query(
      `INSERT INTO admin_units (code, name, level, parent_code) VALUES ('500101', '万州区', 'county', '500100')`,
    );
    await ds.query(
      `INSERT INTO persons (id, name, admin_unit_code) VALUES ('00000000-0000-4000-8000-0000000000aa', '非演示', '500101')`,
    );
    await ds.query(`INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id)
      VALUES ('00000000-0000-4000-8000-0000000000aa', 'flood', 'admin', 'unit', '500230107')`);
    const before = await snapshot(ds);
    const reloaded = await seedDemo(ds, { force: true });
    expect(reloaded.counts).toEqual(summary.counts);
    expect(await snapshot(ds)).toEqual(before);
    await ds.query(`DELETE FROM responsibility_assignments WHERE person_id = '00000000-0000-4000-8000-0000000000aa'`);
    await ds.query(`DELETE FROM persons WHERE id = '00000000-0000-4000-8000-0000000000aa'`);
    await ds.query(`DELETE FROM admin_units WHERE code = '500101'`);
  });

  it('falls back to row deletes when an unknown table references persons (TRUNCATE would refuse)', async () => {
    await ds.query(`CREATE TABLE demo_seed_probe (person_id uuid REFERENCES persons(id))`);
    try {
      const before = await snapshot(ds);
      const reloaded = await seedDemo(ds, { force: true });
      expect(reloaded.counts).toEqual(summary.counts);
      expect(await snapshot(ds)).toEqual(before);
    } finally {
      await ds.query(`DROP TABLE demo_seed_probe`);
    }
  });

  it('refuses a forced reload once call tasks reference demo persons', async () => {
    const personId = summary.shizhi.mayorId;
    await ds.query(`INSERT INTO warnings (id, chain_id, source, sender, identifier, sent, msg_type, status, hazard_type, event, headline)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'officer', 'test', 'demo-1',
        now(), 'alert', 'exercise', 'rainstorm', '暴雨', 'test')`);
    await ds.query(`INSERT INTO dispatches (id, warning_id, spec) VALUES
      ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', '{}')`);
    await ds.query(
      `INSERT INTO call_tasks (warning_id, dispatch_id, person_id, reasons)
       VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', $1, '[]')`,
      [personId],
    );
    await expect(seedDemo(ds, { force: true })).rejects.toThrow(DemoSeedError);
    await expect(seedDemo(ds, { force: true })).rejects.toThrow(/fresh database/);
    const [row] = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM persons WHERE id = $1`, [
      personId,
    ]);
    expect(row.n).toBe(1);
  });
});
