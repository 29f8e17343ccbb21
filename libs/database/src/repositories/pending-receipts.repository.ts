import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CarrierReceipt } from './attempts.repository';

/** A receipt waiting for the message it is about, as stored. */
export interface PendingReceiptRow {
  id: string;
  provider: string;
  message_id: string;
  status: 'delivered' | 'failed';
  code: string;
  at: Date;
}

/**
 * The only writer of `pending_receipts`: receipts that arrived before their message's status write wait here until it
 * is there (then they are taken and applied), a day at most. The caller passes its manager.
 */
@Injectable()
export class PendingReceiptsRepository {
  /** The receipts wait, one statement for the lot. */
  async hold(manager: EntityManager, receipts: CarrierReceipt[]): Promise<void> {
    await manager.query(
      `INSERT INTO pending_receipts (provider, message_id, status, code, at)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[])`,
      [
        receipts.map((r) => r.carrier),
        receipts.map((r) => r.messageId),
        receipts.map((r) => r.status),
        receipts.map((r) => r.code),
        receipts.map((r) => r.at),
      ],
    );
  }

  /**
   * Waiting receipts (5000 at most) whose message now has its status written: an attempt accepted, a batch or a
   * notice sent. Each receipt is looked up by the indexes of message ids (a LIMIT 1 probe, never a scan of the
   * message tables), so a receipt no message of ours will ever claim (another system's on a shared account) costs a
   * probe, not a scan of every batch.
   */
  async ready(manager: EntityManager): Promise<PendingReceiptRow[]> {
    return manager.query<PendingReceiptRow[]>(
      `SELECT p.id, p.provider, p.message_id, p.status, p.code, p.at FROM pending_receipts p
       WHERE ((SELECT true FROM attempts a WHERE a.provider_message_id = p.message_id AND a.status = 'accepted' LIMIT 1)
           OR (SELECT true FROM notices n WHERE n.provider_message_id = p.message_id AND n.status = 'sent' LIMIT 1)
           OR (SELECT true FROM public_sms_batches b WHERE b.message_ids @> ARRAY[p.message_id]::varchar[] LIMIT 1))
       ORDER BY p.id LIMIT 5000`,
    );
  }

  /** Receipts received before `before` stop waiting. */
  async dropReceivedBefore(manager: EntityManager, before: Date): Promise<void> {
    await manager.query(`DELETE FROM pending_receipts WHERE received_at < $1`, [before]);
  }

  /** Receipts taken to be applied. */
  async remove(manager: EntityManager, ids: string[]): Promise<void> {
    await manager.query(`DELETE FROM pending_receipts WHERE id = ANY($1::bigint[])`, [ids]);
  }
}
