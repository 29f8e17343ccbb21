import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, countReceipt } from '@app/common';
import type { CarrierReceipt, ReceiptedAttempt } from '@app/database';
import {
  AttemptsRepository,
  ContactMethodsRepository,
  EventLog,
  NoticesRepository,
  PendingReceiptsRepository,
  PublicNoticesRepository,
} from '@app/database';
import { NextRung } from '../attempts/next-rung';

export type Receipt = CarrierReceipt;

/** Receipt codes that mean the number itself is dead (空号); anything else (关机, 停机, 未接) may work later. */
export const INVALID_NUMBER_RECEIPTS = new Set(['MN:0001', 'EMPTY_NUMBER']);

export interface ReceiptReport {
  attempts: number;
  publicMessages: number;
  notices: number;
  pending: number;
}

/**
 * Applies receipts: attempts accepted under that message id become delivered/failed; area-SMS batches count
 * them; a receipt that arrived before its attempt's status write waits in pending_receipts and is applied by
 * applyPending (the dispatcher runs it every few seconds). A dead number invalidates the contact and runs the
 * person's next ladder rung now.
 */
@Injectable()
export class ReceiptService {
  private readonly logger = new Logger(ReceiptService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly attempts: AttemptsRepository,
    private readonly notices: NoticesRepository,
    private readonly contacts: ContactMethodsRepository,
    private readonly publicNotices: PublicNoticesRepository,
    private readonly pendingReceipts: PendingReceiptsRepository,
    private readonly events: EventLog,
    private readonly nextRung: NextRung,
    private readonly clock: Clock,
  ) {}

  async apply(receipts: Receipt[]): Promise<ReceiptReport> {
    if (receipts.length === 0) {
      return { attempts: 0, publicMessages: 0, notices: 0, pending: 0 };
    }
    const matched = await this.applyToAttempts(receipts);
    const seen = new Set(matched.map((m) => m.key));
    // A repeated receipt of an attempt that already has its receipt changes nothing and does not wait either.
    // (An attempt whose accepted write committed just after the UPDATE above is not that: its receipt waits.)
    const known = await this.dataSource.query<Array<{ mid: string }>>(
      `SELECT DISTINCT provider_message_id AS mid FROM attempts WHERE provider_message_id = ANY($1::varchar[]) AND receipt_at IS NOT NULL`,
      [receipts.filter((r) => !seen.has(`${r.carrier}|${r.messageId}`)).map((r) => r.messageId)],
    );
    const settled = new Set(known.map((k) => k.mid));
    const rest = receipts.filter((r) => !seen.has(`${r.carrier}|${r.messageId}`) && !settled.has(r.messageId));
    const counted = await this.countPublic(rest);
    const uncounted = rest.filter((r) => !counted.has(`${r.carrier}|${r.messageId}`));
    const noticed = await this.applyToNotices(uncounted);
    const pending = uncounted.filter((r) => !noticed.has(`${r.carrier}|${r.messageId}`));
    if (pending.length > 0) {
      await this.pendingReceipts.hold(this.dataSource.manager, pending);
    }
    return {
      attempts: receipts.length - rest.length,
      publicMessages: rest.length - uncounted.length,
      notices: uncounted.length - pending.length,
      pending: pending.length,
    };
  }

  /** Receipts that waited for their message's status write; older than a day they are dropped. */
  async applyPending(): Promise<number> {
    const manager = this.dataSource.manager;
    // jit off: planned for every waiting receipt, the probes cost enough to be compiled each time (20-50 ms).
    const rows = await this.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL jit = off');
      return this.pendingReceipts.ready(tx);
    });
    await this.pendingReceipts.dropReceivedBefore(manager, new Date(this.clock.now().getTime() - 86_400_000));
    if (rows.length === 0) {
      return 0;
    }
    await this.pendingReceipts.remove(
      manager,
      rows.map((r) => r.id),
    );
    await this.apply(
      rows.map((r) => ({ carrier: r.provider, messageId: r.message_id, status: r.status, code: r.code, at: r.at })),
    );
    return rows.length;
  }

  private async applyToAttempts(receipts: Receipt[]): Promise<Array<ReceiptedAttempt & { key: string }>> {
    const rows = await this.attempts.applyReceipts(this.dataSource.manager, receipts);
    rows.forEach((r) => countReceipt(r.channel, r.provider, r.status === 'delivered'));
    if (rows.length > 0) {
      await this.events.append(
        rows.map((r) => ({
          type: r.status === 'delivered' ? 'MessageDelivered' : 'MessageUndelivered',
          warningId: r.warning_id,
          callTaskId: r.call_task_id,
          data: { channel: r.channel, attemptId: r.id, code: r.code },
        })),
      );
    }
    for (const r of rows.filter((x) => x.status === 'failed' && INVALID_NUMBER_RECEIPTS.has(x.code))) {
      await this.contacts.invalidate(this.dataSource.manager, r, true, `回执 ${r.code}（空号）`, this.clock.now());
      this.logger.warn({
        msg: 'receipt says the number is dead',
        attemptId: r.id,
        callTaskId: r.call_task_id,
        code: r.code,
      });
      await this.nextRung.afterPermanentFailure(r.call_task_id);
    }
    return rows.map((r) => ({ ...r, key: `${r.carrier}|${r.provider_message_id}` }));
  }

  /**
   * Receipts of notices sent by SMS: sent → delivered or failed (with the code); a dead number marks the contact
   * invalid. A repeated receipt changes nothing. Returns the receipts that belong to a notice.
   */
  private async applyToNotices(receipts: Receipt[]): Promise<Set<string>> {
    if (receipts.length === 0) {
      return new Set();
    }
    const rows = await this.notices.applyReceipts(this.dataSource.manager, receipts);
    for (const r of rows.filter((x) => x.applied && x.status === 'failed' && INVALID_NUMBER_RECEIPTS.has(x.code))) {
      await this.contacts.invalidate(this.dataSource.manager, r, true, `回执 ${r.code}（空号）`, this.clock.now());
      this.logger.warn({ msg: 'notice receipt says the number is dead', noticeId: r.id, code: r.code });
    }
    return new Set(rows.map((r) => `${r.carrier}|${r.mid}`));
  }

  /** Area-SMS receipts: counted per batch (one provider message id per request, or one per number). */
  private async countPublic(receipts: Receipt[]): Promise<Set<string>> {
    if (receipts.length === 0) {
      return new Set();
    }
    const rows = await this.publicNotices.countReceipts(this.dataSource.manager, receipts);
    return new Set(rows.map((r) => `${r.carrier}|${r.mid}`));
  }
}
