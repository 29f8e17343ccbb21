import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The only writer of `dispatches`: the plan of one warning version (the response spec it runs under and how many
 * people it calls), which its call tasks belong to.
 */
@Injectable()
export class DispatchesRepository {
  /** Returns the new dispatch's id. */
  async create(manager: EntityManager, warningId: string, spec: unknown, recipientCount: number): Promise<string> {
    const [dispatch] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO dispatches (warning_id, spec, recipient_count) VALUES ($1, $2, $3) RETURNING id`,
      [warningId, JSON.stringify(spec), recipientCount],
    );
    return dispatch.id;
  }
}
