import { MigrationInterface, QueryRunner } from 'typeorm';

/** The whole first schema: geography, roster, warnings, call tasks, answers and the append-only event log. */
export class CreateSchema1763800000000 implements MigrationInterface {
  name = 'CreateSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`CREATE TABLE admin_units (
      code varchar(12) PRIMARY KEY,
      name varchar(100) NOT NULL,
      level varchar(10) NOT NULL CHECK (level IN ('province','city','county','town','village')),
      parent_code varchar(12) REFERENCES admin_units(code),
      geom geometry(MultiPolygon,4326),
      geom_synthetic boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE INDEX idx_admin_units_parent ON admin_units(parent_code)`);
    await q.query(`CREATE INDEX idx_admin_units_code_prefix ON admin_units(code varchar_pattern_ops)`);
    await q.query(`CREATE INDEX idx_admin_units_geom ON admin_units USING gist(geom)`);

    await q.query(`CREATE TABLE risk_zones (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name varchar(200) NOT NULL,
      hazard_type varchar(32) NOT NULL,
      kind varchar(32) NOT NULL,
      risk_grade varchar(16),
      geom geometry(Geometry,4326) NOT NULL CHECK (ST_IsValid(geom)),
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      threatened_households int NOT NULL DEFAULT 0,
      threatened_persons int NOT NULL DEFAULT 0,
      status varchar(16) NOT NULL DEFAULT 'active',
      synthetic boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE INDEX idx_risk_zones_geom ON risk_zones USING gist(geom)`);
    await q.query(`CREATE INDEX idx_risk_zones_unit ON risk_zones(admin_unit_code varchar_pattern_ops)`);

    await q.query(`CREATE TABLE protected_objects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name varchar(200) NOT NULL,
      type varchar(32) NOT NULL,
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      geom geometry(Point,4326) NOT NULL,
      attrs jsonb NOT NULL DEFAULT '{}',
      synthetic boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE INDEX idx_protected_objects_geom ON protected_objects USING gist(geom)`);
    await q.query(`CREATE INDEX idx_protected_objects_unit ON protected_objects(admin_unit_code varchar_pattern_ops)`);

    await q.query(`CREATE TABLE persons (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(64) NOT NULL,
      title varchar(100),
      organization varchar(100),
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      backup_person_id uuid REFERENCES persons(id),
      active boolean NOT NULL DEFAULT true,
      synthetic boolean NOT NULL DEFAULT false)`);

    await q.query(`CREATE TABLE contact_methods (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
      channel varchar(16) NOT NULL CHECK (channel IN ('sms','voice','email','webhook')),
      address varchar(320) NOT NULL,
      priority int NOT NULL DEFAULT 0,
      invalid_at timestamptz,
      invalid_reason varchar(200),
      UNIQUE (person_id, channel, address))`);

    await q.query(`CREATE TABLE responsibility_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      person_id uuid NOT NULL REFERENCES persons(id),
      sector varchar(32) NOT NULL,
      role_slot varchar(40) NOT NULL,
      target_type varchar(8) NOT NULL CHECK (target_type IN ('unit','object','zone')),
      target_id varchar(64) NOT NULL,
      backup_person_id uuid REFERENCES persons(id),
      valid_from date,
      valid_to date,
      published_at timestamptz)`);
    await q.query(`CREATE INDEX idx_assignments_target ON responsibility_assignments(target_type, target_id)`);
    await q.query(`CREATE INDEX idx_assignments_person ON responsibility_assignments(person_id)`);

    await q.query(`CREATE TABLE contracting_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      leader_person_id uuid NOT NULL REFERENCES persons(id),
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      level varchar(16) NOT NULL CHECK (level IN ('county_town','town_village','village_group')),
      sector varchar(32))`);
    await q.query(`CREATE INDEX idx_contracting_unit ON contracting_assignments(admin_unit_code)`);

    await q.query(`CREATE TABLE special_residents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      label varchar(100) NOT NULL,
      group_type varchar(24) NOT NULL,
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      risk_zone_id uuid REFERENCES risk_zones(id),
      caller_person_id uuid NOT NULL REFERENCES persons(id),
      synthetic boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE INDEX idx_special_residents_zone ON special_residents(risk_zone_id)`);

    await q.query(`CREATE TABLE warnings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      chain_id uuid NOT NULL,
      version int NOT NULL DEFAULT 1,
      source varchar(16) NOT NULL,
      sender varchar(255) NOT NULL,
      identifier varchar(255) NOT NULL,
      sent timestamptz NOT NULL,
      msg_type varchar(8) NOT NULL CHECK (msg_type IN ('alert','update','cancel')),
      status varchar(8) NOT NULL CHECK (status IN ('actual','exercise','test')),
      hazard_type varchar(32) NOT NULL,
      event varchar(200) NOT NULL,
      level smallint CHECK (level BETWEEN 1 AND 4),
      colour varchar(8) CHECK (colour IN ('red','orange','yellow','blue')),
      severity varchar(16),
      headline varchar(300) NOT NULL,
      description text NOT NULL DEFAULT '',
      instruction text NOT NULL DEFAULT '',
      language varchar(16) NOT NULL DEFAULT 'zh-CN',
      area_desc text NOT NULL DEFAULT '',
      area_geom geometry(MultiPolygon,4326),
      area_codes varchar[] NOT NULL DEFAULT '{}',
      "references" text,
      onset timestamptz,
      expires_at timestamptz,
      state varchar(16) NOT NULL DEFAULT 'received',
      is_drill boolean NOT NULL DEFAULT false,
      raw text,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX uq_warnings_sender_identifier_sent ON warnings(sender, identifier, sent)`);
    await q.query(`CREATE INDEX idx_warnings_chain ON warnings(chain_id, version)`);
    await q.query(`CREATE INDEX idx_warnings_state ON warnings(state)`);

    await q.query(`CREATE TABLE dispatches (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid NOT NULL UNIQUE REFERENCES warnings(id),
      spec jsonb NOT NULL,
      recipient_count int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE call_tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid NOT NULL REFERENCES warnings(id),
      dispatch_id uuid NOT NULL REFERENCES dispatches(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      tier smallint NOT NULL DEFAULT 0,
      reasons jsonb NOT NULL,
      state varchar(16) NOT NULL DEFAULT 'pending',
      requires_ack boolean NOT NULL DEFAULT true,
      deadline_at timestamptz,
      next_rung smallint NOT NULL DEFAULT 0,
      escalation_path jsonb NOT NULL DEFAULT '[]',
      escalated_from_task_id uuid REFERENCES call_tasks(id),
      acknowledged_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX uq_call_tasks_dispatch_person ON call_tasks(dispatch_id, person_id)`);
    await q.query(`CREATE INDEX idx_call_tasks_warning_state ON call_tasks(warning_id, state)`);
    await q.query(
      `CREATE INDEX idx_call_tasks_open_deadline ON call_tasks(deadline_at) WHERE state IN ('pending','sent')`,
    );

    await q.query(`CREATE TABLE attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      call_task_id uuid NOT NULL REFERENCES call_tasks(id),
      channel varchar(16) NOT NULL,
      contact_method_id uuid NOT NULL REFERENCES contact_methods(id),
      rung smallint NOT NULL,
      idempotency_key varchar(120) NOT NULL UNIQUE,
      status varchar(16) NOT NULL DEFAULT 'queued',
      provider varchar(32),
      provider_message_id varchar(200),
      error varchar(500),
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX idx_attempts_task ON attempts(call_task_id)`);
    await q.query(`CREATE INDEX idx_attempts_stale ON attempts(updated_at) WHERE status IN ('queued','sending')`);

    await q.query(`CREATE TABLE acknowledgements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      call_task_id uuid NOT NULL UNIQUE REFERENCES call_tasks(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      method varchar(16) NOT NULL,
      response varchar(16) NOT NULL,
      note varchar(500),
      head_count int CHECK (head_count >= 0),
      late boolean NOT NULL DEFAULT false,
      acknowledged_at timestamptz NOT NULL)`);

    await q.query(`CREATE TABLE escalations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid NOT NULL REFERENCES warnings(id),
      from_task_id uuid NOT NULL REFERENCES call_tasks(id),
      to_task_id uuid REFERENCES call_tasks(id),
      reason varchar(16) NOT NULL,
      at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_escalations_warning ON escalations(warning_id)`);

    await q.query(`CREATE TABLE events (
      id bigserial PRIMARY KEY,
      warning_id uuid,
      call_task_id uuid,
      type varchar(40) NOT NULL,
      actor varchar(100) NOT NULL DEFAULT 'system',
      data jsonb NOT NULL DEFAULT '{}',
      at timestamptz NOT NULL,
      hash char(64))`);
    await q.query(`CREATE INDEX idx_events_warning ON events(warning_id, id)`);
    await q.query(`CREATE INDEX idx_events_task ON events(call_task_id)`);
    // Append-only, each row hashed over its own content at insert. No global lock here: a chain lock taken
    // inside transactions that also hold row locks deadlocks under concurrent escalations.
    await q.query(`CREATE FUNCTION events_hash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.hash := encode(digest(NEW.id::text || '|' || coalesce(NEW.warning_id::text, '') || '|' ||
          coalesce(NEW.call_task_id::text, '') || '|' || NEW.type || '|' || NEW.actor || '|' || NEW.data::text || '|' ||
          NEW.at::text, 'sha256'), 'hex');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER events_hash BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_hash()`);
    await q.query(`CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'events is append-only'; END $$`);
    await q.query(`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);

    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(100) NOT NULL UNIQUE,
      key_hash char(64) NOT NULL UNIQUE,
      role varchar(16) NOT NULL CHECK (role IN ('ingest','duty_officer','commander','admin')),
      region_code varchar(12) NOT NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'api_keys',
      'events',
      'escalations',
      'acknowledgements',
      'attempts',
      'call_tasks',
      'dispatches',
      'warnings',
      'special_residents',
      'contracting_assignments',
      'responsibility_assignments',
      'contact_methods',
      'persons',
      'protected_objects',
      'risk_zones',
      'admin_units',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION events_hash()`);
    await q.query(`DROP FUNCTION events_append_only()`);
  }
}
