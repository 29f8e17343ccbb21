import { EntityManager } from 'typeorm';
import { DEMO_NAMESPACE } from './deterministic-id';
import { GIVEN, SURNAMES } from './names';
import { PROVINCE_PREFIX, ProvinceSize } from './province-plan';
import { CONTACTS, ROSTER } from './owners';

// SYNTHETIC roster of the generated province, written set-based in PostgreSQL (a few INSERT … SELECT over
// the units and zones already loaded): no row is built in Node, so 200,000 persons take seconds. The SELECTs are
// generated here; the rows go in through their owners (RosterRepository, ContactMethodsRepository).

/**
 * pg_temp.demo_id(key): the demo's UUID v5 (deterministic-id.ts) computed in SQL with pgcrypto's SHA-1, so
 * demoId('person:village:509801001200:secretary') in Node names the same row.
 */
const SHA1 = `digest(decode('${DEMO_NAMESPACE.replace(/-/g, '')}', 'hex') || convert_to(key, 'UTF8'), 'sha1')`;
// One expression without FROM, so PostgreSQL inlines it into each statement (a FROM made it ~4× slower per call).
const DEMO_ID_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.demo_id(key text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(set_byte(set_byte(substring(${SHA1} FROM 1 FOR 16), 6, (get_byte(${SHA1}, 6) & 15) | 80), 8,
    (get_byte(${SHA1}, 8) & 63) | 128), 'hex')::uuid
$$`;

/** A 28-bit number from the key's md5 at hex offset k: seeded choices that do not depend on row order. */
const hashInt = (key: string, k: number) => `('x' || substr(md5(${key}), ${k}, 7))::bit(28)::int`;

/** Fake name from the demo's surname and given-name lists (names.ts), chosen by the person's key. */
const FAKE_NAME = `(s.surnames)[1 + ${hashInt('p.key', 1)} % cardinality(s.surnames)]
  || (s.given)[1 + ${hashInt('p.key', 8)} % cardinality(s.given)]
  || CASE WHEN ${hashInt('p.key', 15)} % 100 < 65 THEN (s.given)[1 + ${hashInt('p.key', 22)} % cardinality(s.given)] ELSE '' END`;

/**
 * Posts per unit: key suffix, title, office, B角 (backup) and what the post is assigned ('sector:role_slot' on the
 * unit). County deputies 包 towns and town deputies 包 villages (contracting, below). Counts match COUNTY_STAFF etc.
 */
const POSTS = `(VALUES
  ('county', 'commander', '防汛抗旱指挥部指挥长', '人民政府', NULL, '{all:commander}'::text[]),
  ('county', 'deputy-1', '防汛抗旱指挥部副指挥长', '人民政府', 'commander', '{}'),
  ('county', 'deputy-2', '副县长', '人民政府', 'commander', '{}'),
  ('county', 'duty-1', '防汛抗旱指挥部办公室值班员', '应急管理局', 'duty-2', '{all:duty_officer}'),
  ('county', 'duty-2', '防汛抗旱指挥部办公室值班员', '应急管理局', NULL, '{all:duty_officer}'),
  ('county', 'water', '水旱灾害防御科科长', '水利局', NULL, '{flood:technical}'),
  ('county', 'geo', '地质灾害防治科工程师', '规划和自然资源局', NULL, '{geo_hazard:technical}'),
  ('town', 'secretary', '镇党委书记', '人民政府', NULL, '{all:party_secretary}'),
  ('town', 'mayor', '镇长', '人民政府', 'secretary', '{flood:admin}'),
  ('town', 'deputy-1', '副镇长', '人民政府', 'mayor', '{geo_hazard:admin}'),
  ('town', 'deputy-2', '镇人大主席', '人民政府', 'mayor', '{}'),
  ('town', 'duty', '镇应急办值班员', '人民政府', 'deputy-1', '{all:duty_officer,flood:patrol,geo_hazard:patrol}'),
  ('town', 'water', '水利站站长', '人民政府', NULL, '{flood:technical}'),
  ('town', 'geo', '地质灾害专管员', '人民政府', NULL, '{geo_hazard:technical}'),
  ('village', 'secretary', '村党支部书记', '', NULL, '{all:party_secretary}'),
  ('village', 'director', '村委会主任', '', 'secretary', '{flood:admin,geo_hazard:admin}')
) AS t(level, post, title, office, backup, slots)`;

const VALIDITY = `'2024-01-01'::date, NULL::date, '2024-04-15T09:00:00+08:00'::timestamptz`;

/** Every person, contact, assignment and 包干 of the province (its units and zones must be loaded). */
export async function writeProvinceRoster(m: EntityManager, size: ProvinceSize): Promise<void> {
  await m.query(DEMO_ID_FUNCTION);
  await m.query(`CREATE TEMP TABLE province_staff (key text PRIMARY KEY, unit varchar(12) NOT NULL, title varchar(100) NOT NULL,
    office varchar(100) NOT NULL, backup_key text) ON COMMIT DROP`);
  await m.query(`CREATE TEMP TABLE province_slots (person_key text NOT NULL, sector varchar(32) NOT NULL, role_slot varchar(40) NOT NULL,
    target_type varchar(8) NOT NULL, target_id varchar(64) NOT NULL, backup_key text) ON COMMIT DROP`);

  // 1. Posts of every county, town and village, and what each is assigned on its own unit.
  const unitKey = (post: string) => `u.level || ':' || u.code || ':' || ${post}`;
  await m.query(`INSERT INTO province_staff (key, unit, title, office, backup_key)
    SELECT ${unitKey('t.post')}, u.code, t.title,
      CASE WHEN u.level = 'village' THEN replace(u.name, '村民委员会', '') ELSE u.name || t.office END,
      CASE WHEN t.backup IS NULL THEN NULL ELSE ${unitKey('t.backup')} END
    FROM admin_units u JOIN ${POSTS} ON t.level = u.level WHERE u.code LIKE '${PROVINCE_PREFIX}%'`);
  await m.query(`INSERT INTO province_slots (person_key, sector, role_slot, target_type, target_id)
    SELECT ${unitKey('t.post')}, split_part(slot, ':', 1), split_part(slot, ':', 2), 'unit', u.code
    FROM admin_units u JOIN ${POSTS} ON t.level = u.level, unnest(t.slots) AS slot
    WHERE u.code LIKE '${PROVINCE_PREFIX}%'`);

  // 2. Per zone: the village director is its 行政 responsible (B角 the secretary), plus a monitor and a patroller.
  await m.query(`INSERT INTO province_staff (key, unit, title, office, backup_key)
    SELECT 'zone:' || z.code || ':' || r.post, z.admin_unit_code,
      CASE WHEN r.post = 'patrol' THEN '巡查责任人'
           WHEN z.kind = 'flash_flood_danger_zone' THEN '山洪灾害监测预警员'
           WHEN z.kind = 'waterlogging_point' THEN '易涝点巡查员' ELSE '地质灾害群测群防员' END,
      replace(v.name, '村民委员会', ''), 'village:' || z.admin_unit_code || ':' || CASE WHEN r.post = 'patrol' THEN 'director' ELSE 'grid-1' END
    FROM risk_zones z JOIN admin_units v ON v.code = z.admin_unit_code, (VALUES ('monitor'), ('patrol')) AS r(post)
    WHERE z.admin_unit_code LIKE '${PROVINCE_PREFIX}%'`);
  await m.query(`INSERT INTO province_slots (person_key, sector, role_slot, target_type, target_id, backup_key)
    SELECT CASE WHEN r.slot = 'admin' THEN 'village:' || z.admin_unit_code || ':director' ELSE 'zone:' || z.code || ':' || r.slot END,
      CASE WHEN z.hazard_type IN ('flash_flood', 'rainstorm') THEN 'flood' ELSE 'geo_hazard' END, r.slot, 'zone', z.id::text,
      CASE WHEN r.slot = 'admin' THEN 'village:' || z.admin_unit_code || ':secretary' END
    FROM risk_zones z, (VALUES ('admin'), ('monitor'), ('patrol')) AS r(slot)
    WHERE z.admin_unit_code LIKE '${PROVINCE_PREFIX}%'`);

  // 3. Grid workers fill the persons asked for: base per village, one more in the first `extra` villages (code order).
  const villages = size.villages;
  const grid =
    size.persons - Number((await m.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM province_staff`))[0].n);
  await m.query(
    `WITH v AS (SELECT code, name, row_number() OVER (ORDER BY code) - 1 AS i FROM admin_units
                   WHERE level = 'village' AND code LIKE '${PROVINCE_PREFIX}%')
    INSERT INTO province_staff (key, unit, title, office, backup_key)
    SELECT 'village:' || v.code || ':grid-' || g, v.code, '第' || g || '网格网格员', replace(v.name, '村民委员会', ''),
      'village:' || v.code || ':' || CASE WHEN g = 1 THEN 'director' ELSE 'grid-1' END
    FROM v, generate_series(1, $1::int / $2::int + CASE WHEN v.i < $1::int % $2::int THEN 1 ELSE 0 END) g`,
    [grid, villages],
  );
  await m.query(`INSERT INTO province_slots (person_key, sector, role_slot, target_type, target_id)
    SELECT key, 'all', 'grid_worker', 'unit', unit FROM province_staff WHERE key LIKE 'village:%:grid-%'`);

  // 4. The rows, ids from the keys as the demo names them (person:…, contact:…:sms, assignment:…, contracting:…).
  await ROSTER.insertPersonsFrom(m, {
    sql: `SELECT pg_temp.demo_id('person:' || p.key), ${FAKE_NAME}, p.title, p.office, p.unit,
      CASE WHEN p.backup_key IS NULL THEN NULL ELSE pg_temp.demo_id('person:' || p.backup_key) END, true, true
    FROM province_staff p, (SELECT $1::text[] AS surnames, $2::text[] AS given) s ORDER BY p.key`,
    params: [SURNAMES, GIVEN],
  });
  // Mobiles in the 172 range (the demo's are 170/171), numbered in key order: unique and stable.
  await CONTACTS.insertFrom(m, {
    sql: `WITH p AS (SELECT key, row_number() OVER (ORDER BY key) AS n FROM province_staff)
    SELECT pg_temp.demo_id('contact:' || p.key || ':' || c.channel), pg_temp.demo_id('person:' || p.key), c.channel,
      '172' || lpad(p.n::text, 8, '0'), 0
    FROM p, (VALUES ('sms'), ('voice')) AS c(channel)`,
  });
  await ROSTER.insertAssignmentsFrom(m, {
    sql: `SELECT pg_temp.demo_id('assignment:' || s.target_type || ':' || s.target_id || ':' || s.sector || ':' || s.role_slot || ':' || s.person_key),
      pg_temp.demo_id('person:' || s.person_key), s.sector, s.role_slot, s.target_type, s.target_id,
      CASE WHEN s.backup_key IS NULL THEN NULL ELSE pg_temp.demo_id('person:' || s.backup_key) END, ${VALIDITY}
    FROM province_slots s`,
  });
  // 包干: town t of a county goes to county deputy 1 or 2 in turn, village v of a town to town deputy 1 or 2.
  await ROSTER.insertContractingFrom(m, {
    sql: `WITH c AS (
      SELECT u.code, u.parent_code, u.level,
        (CASE WHEN u.level = 'town' THEN 'county:' ELSE 'town:' END) || u.parent_code || ':deputy-'
          || (1 + (row_number() OVER (PARTITION BY u.parent_code ORDER BY u.code) - 1) % 2) AS leader_key
      FROM admin_units u WHERE u.level IN ('town', 'village') AND u.code LIKE '${PROVINCE_PREFIX}%')
    SELECT pg_temp.demo_id('contracting:' || l.level || ':' || c.code || ':' || c.leader_key), pg_temp.demo_id('person:' || c.leader_key),
      c.code, l.level
    FROM c, LATERAL (SELECT CASE WHEN c.level = 'town' THEN 'county_town' ELSE 'town_village' END AS level) l`,
  });
}
