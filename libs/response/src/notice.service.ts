import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface NewNotice {
  personId: string;
  kind: 'answered_by_peer' | 'order' | 'order_escalated' | 'order_lifted';
  /** One notice per key: a repeated request writes nothing new. */
  dedupeKey: string;
  subject: string;
  body: string;
  warningId?: string | null;
  orderId?: string | null;
}

/**
 * Notify-only messages, written in the caller's transaction (an outbox row per person, on their best valid
 * email contact; a person without one gets a row marked failed so the gap shows). Enqueue the ids after commit.
 */
@Injectable()
export class NoticeService {
  async write(tx: EntityManager, notices: NewNotice[], now: Date): Promise<string[]> {
    if (notices.length === 0) {
      return [];
    }
    const rows = await tx.query<Array<{ id: string; status: string }>>(
      `INSERT INTO notices (person_id, warning_id, order_id, kind, dedupe_key, subject, body, channel, contact_method_id,
                            status, error, created_at, updated_at)
       SELECT n.person_id, n.warning_id, n.order_id, n.kind, n.dedupe_key, n.subject, n.body, 'email', c.id,
              CASE WHEN c.id IS NULL THEN 'failed' ELSE 'queued' END,
              CASE WHEN c.id IS NULL THEN '无可用联系方式 (no usable contact)' END, $9, $9
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[], $7::text[], $8::int[])
         AS n(person_id, warning_id, order_id, kind, dedupe_key, subject, body, ord)
       LEFT JOIN LATERAL (SELECT m.id FROM contact_methods m WHERE m.person_id = n.person_id AND m.channel = 'email'
                          AND m.invalid_at IS NULL ORDER BY m.priority LIMIT 1) c ON true
       ORDER BY n.ord
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, status`,
      [
        notices.map((n) => n.personId),
        notices.map((n) => n.warningId ?? null),
        notices.map((n) => n.orderId ?? null),
        notices.map((n) => n.kind),
        notices.map((n) => n.dedupeKey),
        notices.map((n) => n.subject.slice(0, 300)),
        notices.map((n) => n.body),
        notices.map((_, i) => i),
        now,
      ],
    );
    return rows.filter((r) => r.status === 'queued').map((r) => r.id);
  }
}
