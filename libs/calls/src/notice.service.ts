import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { shortCode } from '@app/common';
import { APP_CONFIG, AppConfig, NoticeChannel, noticeChannelsFor, noticeFallbackFor, NoticeKind } from '@app/config';
import { NoticesRepository, ShortLinksRepository } from '@app/database';

export interface NewNotice {
  personId: string;
  kind: NoticeKind;
  /** One notice per key and channel: a repeated request writes nothing new. */
  dedupeKey: string;
  subject: string;
  /** The email's text; our one link in it (PUBLIC_BASE_URL/…) goes by SMS as a short link. */
  body: string;
  warningId?: string | null;
  orderId?: string | null;
  /** Send on this contact (e.g. the number an SMS reply came from) instead of the person's best one of its channel. */
  contactMethodId?: { channel: NoticeChannel; id: string };
}

interface NoticeRow extends NewNotice {
  channel: NoticeChannel;
  contactId: string | null;
}

const NO_CONTACT = '无可用联系方式 (no usable contact)';

/**
 * Notify-only messages, written in the caller's transaction: an outbox row per person and channel, the channels
 * chosen per kind by NOTICE_CHANNELS among the person's valid contacts (best priority first). A person with none
 * gets one row marked failed so the gap shows. Enqueue the returned ids after commit.
 */
@Injectable()
export class NoticeService {
  private readonly linkKey: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shortLinks: ShortLinksRepository,
    private readonly outbox: NoticesRepository,
  ) {
    this.linkKey = config.ack.keys[config.ack.currentKid];
  }

  async write(tx: EntityManager, notices: NewNotice[], now: Date): Promise<string[]> {
    if (notices.length === 0) {
      return [];
    }
    const contacts = await this.contacts(
      tx,
      notices.map((n) => n.personId),
    );
    const rows = notices.flatMap((n): NoticeRow[] => {
      const rule = this.config.notices.channels[n.kind];
      const mine = new Map(contacts.get(n.personId) ?? new Map<NoticeChannel, string>());
      if (n.contactMethodId) {
        mine.set(n.contactMethodId.channel, n.contactMethodId.id);
      }
      const channels = noticeChannelsFor(rule, new Set(mine.keys()));
      return channels.length === 0
        ? [{ ...n, channel: rule.channels[0], contactId: null }]
        : channels.map((channel) => ({ ...n, channel, contactId: mine.get(channel) ?? null }));
    });
    return this.insert(tx, rows, now);
  }

  /**
   * A notice that failed for good on its channel goes on by the next channel of a first-of rule (`email/sms`), if
   * the person has one not tried yet. Returns the new row's id to enqueue after commit, or nothing.
   */
  async fallBack(tx: EntityManager, noticeId: string, now: Date): Promise<string[]> {
    const [n] = await tx.query<
      Array<{
        person_id: string;
        kind: NoticeKind;
        dedupe_key: string;
        subject: string;
        body: string;
        warning_id: string | null;
        order_id: string | null;
        tried: string[];
      }>
    >(
      `SELECT n.person_id, n.kind, n.dedupe_key, n.subject, n.body, n.warning_id, n.order_id,
              array(SELECT o.channel FROM notices o WHERE o.dedupe_key = n.dedupe_key) AS tried
       FROM notices n WHERE n.id = $1 AND n.status = 'failed'`,
      [noticeId],
    );
    if (!n) {
      return [];
    }
    const mine = (await this.contacts(tx, [n.person_id])).get(n.person_id) ?? new Map<NoticeChannel, string>();
    const next = noticeFallbackFor(this.config.notices.channels[n.kind], new Set(mine.keys()), new Set(n.tried));
    if (!next) {
      return [];
    }
    const notice = {
      personId: n.person_id,
      kind: n.kind,
      dedupeKey: n.dedupe_key,
      subject: n.subject,
      body: n.body,
      warningId: n.warning_id,
      orderId: n.order_id,
    };
    return this.insert(tx, [{ ...notice, channel: next, contactId: mine.get(next) ?? null }], now);
  }

  /** Each person's best valid SMS and email contact. */
  private async contacts(tx: EntityManager, personIds: string[]): Promise<Map<string, Map<NoticeChannel, string>>> {
    const rows = await tx.query<Array<{ person_id: string; channel: NoticeChannel; id: string }>>(
      `SELECT DISTINCT ON (person_id, channel) person_id, channel, id FROM contact_methods
       WHERE person_id = ANY($1::uuid[]) AND channel IN ('sms','email') AND invalid_at IS NULL
       ORDER BY person_id, channel, priority, id`,
      [[...new Set(personIds)]],
    );
    const out = new Map<string, Map<NoticeChannel, string>>();
    for (const r of rows) {
      out.set(r.person_id, (out.get(r.person_id) ?? new Map<NoticeChannel, string>()).set(r.channel, r.id));
    }
    return out;
  }

  /** An SMS row whose body holds one of our links gets a short link standing for it (made in the same transaction). */
  private async insert(tx: EntityManager, rows: NoticeRow[], now: Date): Promise<string[]> {
    const links = rows.map((r) => {
      const url = r.channel === 'sms' && r.contactId ? this.linkIn(r.body) : null;
      return url ? { code: shortCode(this.linkKey, `notice:${r.dedupeKey}`), personId: r.personId, url } : null;
    });
    const withLink = links.filter((l) => l !== null);
    if (withLink.length > 0) {
      await this.shortLinks.addForNotices(tx, withLink);
    }
    return this.outbox.add(
      tx,
      rows.map((n, i) => ({
        personId: n.personId,
        warningId: n.warningId ?? null,
        orderId: n.orderId ?? null,
        kind: n.kind,
        dedupeKey: n.dedupeKey,
        subject: n.subject,
        body: n.body,
        channel: n.channel,
        contactId: n.contactId,
        linkCode: links[i]?.code ?? null,
      })),
      now,
      NO_CONTACT,
    );
  }

  /** Our first link in a text: everything we send people starts with PUBLIC_BASE_URL. */
  private linkIn(text: string): string | null {
    const base = this.config.http.publicBaseUrl;
    const at = text.indexOf(`${base}/`);
    return at < 0 ? null : (/^\S+/.exec(text.slice(at))?.[0] ?? null);
  }
}
