import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest beyond CAP: officer warning drafts with approvals, feed polling state and heartbeat alarms,
 * hydrology/reservoir/rain stations with thresholds and readings, daily forest-fire danger ratings, the
 * sensor alarms that keep one warning chain per station and measure, and the `real_warnings` view statistics use.
 */
export class CreateIngestTables1763800400000 implements MigrationInterface {
  name = 'CreateIngestTables1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE warning_drafts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      state varchar(16) NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','issued','discarded')),
      updates_warning_id uuid REFERENCES warnings(id),
      content jsonb NOT NULL,
      approvals_required smallint NOT NULL DEFAULT 0,
      approvals jsonb NOT NULL DEFAULT '[]',
      created_by varchar(100) NOT NULL,
      region_code varchar(12) NOT NULL,
      issued_warning_id uuid REFERENCES warnings(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE feed_sources (
      id varchar(64) PRIMARY KEY,
      last_polled_at timestamptz,
      last_success_at timestamptz,
      last_new_entry_at timestamptz,
      last_error varchar(500),
      last_error_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE feed_entries (
      source_id varchar(64) NOT NULL REFERENCES feed_sources(id),
      entry_key varchar(500) NOT NULL,
      cap_url varchar(1000) NOT NULL,
      outcome varchar(32) NOT NULL,
      warning_id uuid REFERENCES warnings(id),
      error varchar(500),
      attempts int NOT NULL DEFAULT 1,
      first_seen_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (source_id, entry_key))`);
    // What the duty board shows: a source silent too long (or failing); cleared when it speaks again.
    await q.query(`CREATE TABLE source_alarms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      source_id varchar(64) NOT NULL,
      kind varchar(16) NOT NULL CHECK (kind IN ('silent','failing')),
      message varchar(500) NOT NULL,
      region_code varchar(12) NOT NULL,
      raised_at timestamptz NOT NULL,
      cleared_at timestamptz)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_source_alarms_open ON source_alarms(source_id, kind) WHERE cleared_at IS NULL`,
    );

    await q.query(`CREATE TABLE stations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name varchar(200) NOT NULL,
      kind varchar(16) NOT NULL CHECK (kind IN ('river','reservoir','rain')),
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      geom geometry(Point,4326),
      warning_level numeric(8,2),
      guaranteed_level numeric(8,2),
      flood_limit_level numeric(8,2),
      rain_thresholds jsonb NOT NULL DEFAULT '[]',
      synthetic boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE TABLE station_readings (
      id bigserial PRIMARY KEY,
      station_id uuid NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      water_level numeric(8,2),
      rainfall_mm numeric(8,2) CHECK (rainfall_mm >= 0),
      received_at timestamptz NOT NULL,
      UNIQUE (station_id, at))`);
    await q.query(`CREATE TABLE fire_danger_ratings (
      area_code varchar(12) NOT NULL REFERENCES admin_units(code),
      date date NOT NULL,
      rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
      received_at timestamptz NOT NULL,
      PRIMARY KEY (area_code, date))`);
    // One open warning chain per station measure (or fire area): repeats change nothing, a higher level updates it.
    await q.query(`CREATE TABLE sensor_alarms (
      key varchar(120) PRIMARY KEY,
      warning_id uuid REFERENCES warnings(id),
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
      expires_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);

    // Statistics count real warnings only: drills (Exercise/Test) run the whole chain but stay out of the figures.
    await q.query(`CREATE VIEW real_warnings AS
      SELECT id, chain_id, version, source, sender, msg_type, status, hazard_type, level, colour, state, area_codes,
             sent, expires_at, created_at
      FROM warnings WHERE NOT is_drill`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW real_warnings`);
    for (const table of [
      'sensor_alarms',
      'fire_danger_ratings',
      'station_readings',
      'stations',
      'source_alarms',
      'feed_entries',
      'feed_sources',
      'warning_drafts',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
