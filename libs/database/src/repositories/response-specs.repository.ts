import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A version of the response specs: its number, its body (the specs, without their version) and who saved it. */
export interface ResponseSpecRow<Body = unknown> {
  version: number;
  body: Body;
}

export interface ResponseSpecVersion {
  version: number;
  createdAt: Date;
  createdBy: string;
}

/**
 * The only writer of `response_specs`, one row per version of the response specs (the newest is active): the file
 * defaults as version 1 when the table is empty, then each saved version, numbered one after the newest under a
 * table lock. The caller passes its manager (its transaction's, where it runs in one).
 */
@Injectable()
export class ResponseSpecsRepository {
  /** The body as version 1, by `config`, when the table is empty; whether it was written. */
  async addFirst(manager: EntityManager, body: object): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO response_specs (version, body, created_by)
       SELECT 1, $1::jsonb, 'config' WHERE NOT EXISTS (SELECT 1 FROM response_specs)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [JSON.stringify(body)],
    );
    return inserted.length > 0;
  }

  /** The next version after the newest, the table locked against another save until the transaction ends. */
  async addNext(tx: EntityManager, body: object, createdBy: string): Promise<ResponseSpecVersion> {
    await tx.query('LOCK TABLE response_specs IN SHARE ROW EXCLUSIVE MODE');
    const [row] = await tx.query<ResponseSpecVersion[]>(
      `INSERT INTO response_specs (version, body, created_by)
       SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM response_specs
       RETURNING version, created_at AS "createdAt", created_by AS "createdBy"`,
      [JSON.stringify(body), createdBy],
    );
    return row;
  }

  async newest<Body>(manager: EntityManager): Promise<ResponseSpecRow<Body> | null> {
    const [row] = await manager.query<Array<ResponseSpecRow<Body>>>(
      `SELECT version, body FROM response_specs ORDER BY version DESC LIMIT 1`,
    );
    return row ?? null;
  }

  async find<Body>(
    manager: EntityManager,
    version: number,
  ): Promise<(ResponseSpecRow<Body> & ResponseSpecVersion) | null> {
    const [row] = await manager.query<Array<ResponseSpecRow<Body> & ResponseSpecVersion>>(
      `SELECT version, body, created_at AS "createdAt", created_by AS "createdBy" FROM response_specs WHERE version = $1`,
      [version],
    );
    return row ?? null;
  }

  /** Every version, the newest first. */
  async versions(manager: EntityManager): Promise<ResponseSpecVersion[]> {
    return manager.query<ResponseSpecVersion[]>(
      `SELECT version, created_at AS "createdAt", created_by AS "createdBy" FROM response_specs ORDER BY version DESC`,
    );
  }
}
