import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What 叫应 leaves behind and what it drives besides calls: duty-performance records (履职记录), the problem list
 * (问题清单), one-to-one confirmations per vulnerable resident, notify-only notices, 熔断 orders with their targets,
 * shelters and evacuations per risk zone.
 */
export class CreateResponseRecords1763800300000 implements MigrationInterface {
  name = 'CreateResponseRecords1763800300000';

  async up(q: QueryRunner): Promise<void> {
    // How far up its escalation path a silent call has gone (the next step to call at its next deadline).
    await q.query(`ALTER TABLE call_tasks ADD COLUMN escalation_step smallint NOT NULL DEFAULT 0`);
    await q.query(`CREATE TABLE performance_records (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      person_id uuid NOT NULL REFERENCES persons(id),
      warning_id uuid REFERENCES warnings(id),
      call_task_id uuid REFERENCES call_tasks(id),
      order_target_id uuid,
      role_slots varchar[] NOT NULL DEFAULT '{}',
      kind varchar(24) NOT NULL,
      at timestamptz NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE INDEX idx_performance_person ON performance_records(person_id, at)`);
    await q.query(`CREATE INDEX idx_performance_warning ON performance_records(warning_id)`);

    await q.query(`CREATE TABLE issue_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      chain_id uuid NOT NULL,
      warning_id uuid NOT NULL REFERENCES warnings(id),
      call_task_id uuid REFERENCES call_tasks(id),
      person_id uuid REFERENCES persons(id),
      owner_person_id uuid REFERENCES persons(id),
      unit_code varchar(12) NOT NULL,
      kind varchar(24) NOT NULL,
      title varchar(300) NOT NULL,
      state varchar(12) NOT NULL DEFAULT 'open' CHECK (state IN ('open','rectifying','verified','closed')),
      history jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      closed_at timestamptz,
      UNIQUE (call_task_id, kind))`);
    await q.query(`CREATE INDEX idx_issue_items_unit ON issue_items(unit_code varchar_pattern_ops, state)`);

    await q.query(`CREATE TABLE resident_confirmations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      call_task_id uuid NOT NULL REFERENCES call_tasks(id),
      special_resident_id uuid NOT NULL REFERENCES special_residents(id),
      warning_id uuid NOT NULL REFERENCES warnings(id),
      informed_at timestamptz,
      evacuation_arranged_at timestamptz,
      note varchar(200),
      actor varchar(100) NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (call_task_id, special_resident_id))`);
    await q.query(`CREATE INDEX idx_resident_confirmations_warning ON resident_confirmations(warning_id)`);

    await q.query(`CREATE TABLE shelters (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name varchar(200) NOT NULL,
      admin_unit_code varchar(12) NOT NULL REFERENCES admin_units(code),
      capacity int NOT NULL CHECK (capacity >= 0),
      geom geometry(Point,4326),
      synthetic boolean NOT NULL DEFAULT false)`);

    await q.query(`CREATE TABLE orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      warning_id uuid REFERENCES warnings(id),
      measure varchar(24) NOT NULL,
      title varchar(200) NOT NULL,
      instruction text NOT NULL DEFAULT '',
      region_code varchar(12) NOT NULL,
      state varchar(12) NOT NULL DEFAULT 'ordered' CHECK (state IN ('ordered','lifted')),
      ack_deadline_at timestamptz NOT NULL,
      execute_deadline_at timestamptz NOT NULL,
      issued_by varchar(100) NOT NULL,
      issued_at timestamptz NOT NULL,
      lifted_at timestamptz,
      lifted_by varchar(100))`);
    await q.query(`CREATE INDEX idx_orders_region ON orders(region_code varchar_pattern_ops, state)`);

    await q.query(`CREATE TABLE order_targets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL REFERENCES orders(id),
      person_id uuid NOT NULL REFERENCES persons(id),
      unit_name varchar(200) NOT NULL,
      state varchar(16) NOT NULL DEFAULT 'ordered' CHECK (state IN ('ordered','acknowledged','executed')),
      acknowledged_at timestamptz,
      executed_at timestamptz,
      evidence_note varchar(500),
      evidence_url varchar(500),
      escalation_level smallint NOT NULL DEFAULT 0,
      lift_acknowledged_at timestamptz,
      UNIQUE (order_id, person_id))`);

    await q.query(`CREATE TABLE notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      person_id uuid NOT NULL REFERENCES persons(id),
      warning_id uuid REFERENCES warnings(id),
      order_id uuid REFERENCES orders(id),
      kind varchar(24) NOT NULL,
      dedupe_key varchar(200) NOT NULL UNIQUE,
      subject varchar(300) NOT NULL,
      body text NOT NULL,
      channel varchar(16) NOT NULL,
      contact_method_id uuid REFERENCES contact_methods(id),
      status varchar(16) NOT NULL DEFAULT 'queued',
      error varchar(500),
      sent_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_notices_stale ON notices(updated_at) WHERE status IN ('queued','sending')`);

    await q.query(`CREATE TABLE evacuations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      chain_id uuid NOT NULL,
      warning_id uuid NOT NULL REFERENCES warnings(id),
      risk_zone_id uuid NOT NULL REFERENCES risk_zones(id),
      shelter_id uuid REFERENCES shelters(id),
      organiser_person_id uuid REFERENCES persons(id),
      planned_households int NOT NULL,
      planned_persons int NOT NULL,
      planned_special int NOT NULL,
      state varchar(20) NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress','return_authorised')),
      started_by varchar(100) NOT NULL,
      started_at timestamptz NOT NULL,
      return_authorised_at timestamptz,
      return_authorised_by varchar(100),
      UNIQUE (chain_id, risk_zone_id))`);

    await q.query(`CREATE TABLE evacuation_reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      evacuation_id uuid NOT NULL REFERENCES evacuations(id),
      shelter_id uuid REFERENCES shelters(id),
      households int NOT NULL CHECK (households >= 0),
      persons int NOT NULL CHECK (persons >= 0),
      note varchar(200),
      reported_by varchar(100) NOT NULL,
      reported_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_evacuation_reports_evacuation ON evacuation_reports(evacuation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'evacuation_reports',
      'evacuations',
      'notices',
      'order_targets',
      'orders',
      'shelters',
      'resident_confirmations',
      'issue_items',
      'performance_records',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`ALTER TABLE call_tasks DROP COLUMN escalation_step`);
  }
}
