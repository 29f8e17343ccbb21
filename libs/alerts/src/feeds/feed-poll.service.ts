import { Injectable, Logger } from '@nestjs/common';
import { Clock, DomainError } from '@app/common';
import { EventLog, FeedsRepository } from '@app/database';
import { AlertIngestService } from '../alert-ingest.service';
import { DEFAULT_MAX_CAP_BYTES, parseCap } from '../cap';
import { rawCapText } from '../raw-cap-text';
import { FeedSourceConfig } from './feed-config';
import { FeedEntry, parseFeedIndex } from './feed-index';
import { fetchLimited } from './fetch-limited';

const MAX_INDEX_BYTES = 4 * 1024 * 1024;
/** A CAP link that could not be fetched is tried again on later polls, this many times in all. */
const MAX_FETCH_ATTEMPTS = 5;

export interface PollSummary {
  sourceId: string;
  ok: boolean;
  listed: number;
  /** Entries fetched this poll (new, or retried after a failed fetch), by outcome. */
  outcomes: Record<string, number>;
  error?: string;
}

/**
 * Polls one CAP feed: reads its Atom/RSS index, fetches each entry not seen before and ingests it through
 * AlertIngestService (source 'feed'). Each entry is recorded once with its outcome; errors are recorded, never thrown.
 */
@Injectable()
export class FeedPollService {
  private readonly logger = new Logger(FeedPollService.name);

  constructor(
    private readonly feeds: FeedsRepository,
    private readonly ingest: AlertIngestService,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async poll(source: FeedSourceConfig): Promise<PollSummary> {
    await this.feeds.register(source.id, this.clock.now());
    let entries: FeedEntry[];
    try {
      const body = await fetchLimited(source.url, MAX_INDEX_BYTES);
      entries = parseFeedIndex(body.toString('utf8'), source.url).entries;
    } catch (e) {
      const error = messageOf(e);
      await this.feeds.recordPollFailed(source.id, error, this.clock.now());
      await this.events.append({
        type: 'FeedPollFailed',
        actor: `feed:${source.id}`,
        data: { sourceId: source.id, error },
      });
      this.logger.warn({ msg: 'feed poll failed', sourceId: source.id, error });
      return { sourceId: source.id, ok: false, listed: 0, outcomes: {}, error };
    }

    const todo = await this.entriesToFetch(source.id, entries);
    const outcomes: Record<string, number> = {};
    let newEntries = 0;
    for (const { entry, seen } of todo) {
      const outcome = await this.fetchAndIngest(source, entry, seen);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      newEntries += seen ? 0 : 1;
    }
    await this.feeds.recordPollSucceeded(source.id, newEntries > 0, this.clock.now());
    await this.clearAlarms(source.id, newEntries > 0 ? ['failing', 'silent'] : ['failing']);
    return { sourceId: source.id, ok: true, listed: entries.length, outcomes };
  }

  /** Entries never seen, plus those whose fetch failed and may be tried again; oldest first. */
  private async entriesToFetch(
    sourceId: string,
    entries: FeedEntry[],
  ): Promise<Array<{ entry: FeedEntry; seen: boolean }>> {
    const rows = await this.feeds.knownEntries(
      sourceId,
      entries.map((e) => e.key),
    );
    const known = new Map(rows.map((r) => [r.entry_key, r]));
    const unique = [...new Map(entries.map((e) => [e.key, e])).values()];
    return unique
      .filter((e) => {
        const row = known.get(e.key);
        return !row || (row.outcome === 'fetch_failed' && row.attempts < MAX_FETCH_ATTEMPTS);
      })
      .sort((a, b) => (a.updated?.getTime() ?? 0) - (b.updated?.getTime() ?? 0))
      .map((entry) => ({ entry, seen: known.has(entry.key) }));
  }

  private async fetchAndIngest(source: FeedSourceConfig, entry: FeedEntry, seen: boolean): Promise<string> {
    let outcome: string;
    let warningId: string | null = null;
    let error: string | null = null;
    try {
      const body = await fetchLimited(entry.capUrl, DEFAULT_MAX_CAP_BYTES);
      const alert = await parseCap(body, { now: this.clock.now() });
      if (source.trustedSenders.length > 0 && !source.trustedSenders.includes(alert.sender)) {
        outcome = 'untrusted_sender';
        error = `sender ${alert.sender} is not trusted for feed ${source.id}（发送者不在该订阅源的信任列表中）`;
      } else {
        const result = await this.ingest.ingest(alert, {
          source: 'feed',
          actor: `feed:${source.id}`,
          raw: rawCapText(body),
        });
        outcome = result.outcome;
        warningId = result.id;
      }
    } catch (e) {
      outcome = e instanceof DomainError ? 'invalid' : 'fetch_failed';
      error = messageOf(e);
      this.logger.warn({ msg: 'feed entry not ingested', sourceId: source.id, entry: entry.key, outcome, error });
    }
    await this.feeds.recordEntry(
      { sourceId: source.id, entryKey: entry.key, capUrl: entry.capUrl, outcome, warningId, error },
      this.clock.now(),
    );
    if (error !== null) {
      await this.events.append({
        type: 'FeedEntryRefused',
        actor: `feed:${source.id}`,
        data: { sourceId: source.id, entry: entry.key, outcome, error, retry: seen ? 'again' : 'first' },
      });
    }
    return outcome;
  }

  private async clearAlarms(sourceId: string, kinds: Array<'silent' | 'failing'>): Promise<void> {
    const cleared = await this.feeds.clearAlarms(sourceId, kinds, this.clock.now());
    if (cleared.length > 0) {
      await this.events.append({
        type: 'SourceHeardAgain',
        actor: `feed:${sourceId}`,
        data: { sourceId, cleared },
      });
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
