import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who tried what from where: one row per state-changing request of a person or an API key (method, path, status,
 * IP), refusals included. Kept apart from the domain event log, which says what changed: a refused request changes
 * nothing there.
 */
export class RequestAudit1763801000000 implements MigrationInterface {
  name = 'RequestAudit1763801000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE request_audit (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor varchar(200) NOT NULL,
      method varchar(10) NOT NULL,
      path varchar(500) NOT NULL,
      status int NOT NULL,
      ip varchar(64))`);
    await q.query(`CREATE INDEX idx_request_audit_actor_at ON request_audit(actor, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE request_audit`);
  }
}
