import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A contact as a message to it knows it. */
export interface ContactRef {
  contact_method_id: string;
  person_id: string;
  address: string;
  channel: string;
}

/**
 * The writer of `contact_methods` (besides the demo seed, which resets the demo district's people): contacts added
 * by a roster import, and marked unusable when a provider or receipt says so.
 */
@Injectable()
export class ContactMethodsRepository {
  /** The person's mobile for SMS and voice, unless already there; returns how many were added. */
  async addMobile(manager: EntityManager, personId: string, mobile: string): Promise<number> {
    const added = await manager.query<unknown[]>(
      `INSERT INTO contact_methods (person_id, channel, address) SELECT $1::uuid, c, $2::varchar FROM unnest(ARRAY['sms', 'voice']) AS c
       ON CONFLICT (person_id, channel, address) DO NOTHING RETURNING id`,
      [personId, mobile],
    );
    return added.length;
  }

  /**
   * Marks a contact unusable (invalid_at / invalid_reason, which the roster fitness report lists). An invalid number
   * (`wholeNumber`) is invalid for SMS and voice alike; a blacklist or refusal concerns this contact only.
   */
  async invalidate(
    manager: EntityManager,
    c: ContactRef,
    wholeNumber: boolean,
    reason: string,
    at: Date,
  ): Promise<void> {
    const phone = wholeNumber && (c.channel === 'sms' || c.channel === 'voice');
    await manager.query(
      `UPDATE contact_methods SET invalid_at = $4, invalid_reason = $5
       WHERE invalid_at IS NULL AND (id = $1 OR ($6 AND person_id = $2 AND address = $3 AND channel IN ('sms','voice')))`,
      [c.contact_method_id, c.person_id, c.address, at, reason.slice(0, 200), phone],
    );
  }
}
