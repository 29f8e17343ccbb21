import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The only writer of `short_links`: a short code in an SMS that opens a call's answer page, or a notice's page.
 * A code is deterministic, so adding one twice is harmless (the first stays).
 */
@Injectable()
export class ShortLinksRepository {
  /** Codes to the answer pages of calls, one statement for the batch. */
  async addForCalls(
    manager: EntityManager,
    links: Array<{ code: string; callTaskId: string; personId: string }>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO short_links (code, call_task_id, person_id)
       SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::uuid[]) ON CONFLICT DO NOTHING`,
      [links.map((l) => l.code), links.map((l) => l.callTaskId), links.map((l) => l.personId)],
    );
  }

  /** Codes to the pages of notices (an order to acknowledge, a 督办 to answer), one statement for the batch. */
  async addForNotices(
    manager: EntityManager,
    links: Array<{ code: string; personId: string; url: string }>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO short_links (code, person_id, url) SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[]) ON CONFLICT DO NOTHING`,
      [links.map((l) => l.code), links.map((l) => l.personId), links.map((l) => l.url)],
    );
  }
}
