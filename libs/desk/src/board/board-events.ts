import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { DataSource } from 'typeorm';
import { inRegion } from '@app/common';
import { EventFeed, FeedCursor } from '@app/database';

/**
 * What changed on the board: warnings, and the towns (乡镇 codes) whose people's calls changed (none for a change of
 * the warning as a whole); resync = re-read everything (the event log could not be read for a while).
 */
export interface BoardChange {
  warnings: string[];
  towns: string[];
  resync?: boolean;
}

interface Touch {
  warning: string;
  /** '' for the warning as a whole */
  town: string;
  /** the warning's area codes, for a change of the warning as a whole */
  area?: string[];
}

/** The event log is read this often while a board is open, and what it gained is handed on as one change. */
const BOARD_COALESCE_MS = 250;
const RETRY_MS = 2000;

/**
 * Reads what the event log gained (EventFeed: each committed event once, nothing added to the writers' commits) every
 * BOARD_COALESCE_MS, from the first board that subscribes until shutdown, and hands each subscriber the changes in its
 * region. Each api replica reads for itself, so any replica's board hears every writer. A failed read is retried and
 * tells boards to resync.
 */
@Injectable()
export class BoardEvents implements OnModuleDestroy {
  private readonly logger = new Logger(BoardEvents.name);
  private readonly changes = new Subject<{ touches: Touch[]; resync?: boolean }>();
  /** Area codes of warnings (fixed per version), to tell which regions a warning-wide change concerns. */
  private readonly areas = new Map<string, string[]>();
  private readonly feed: EventFeed;
  private cursor: FeedCursor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private failed = false;
  private closed = false;

  constructor(private readonly dataSource: DataSource) {
    this.feed = new EventFeed(dataSource);
  }

  /**
   * Changes touching the region: a town inside it, or a warning-wide change (the board re-reads and filters by region).
   * Completes at shutdown, so the open event streams end and the HTTP server can close.
   */
  subscribe(regionCode: string): Observable<BoardChange> {
    this.start();
    return new Observable<BoardChange>((sub) => {
      const s = this.changes.subscribe({
        complete: () => sub.complete(),
        next: (c) => {
          const mine = c.touches.filter((t) =>
            t.town
              ? inRegion(t.town, regionCode)
              : (t.area ?? []).some((a) => inRegion(a, regionCode) || inRegion(regionCode, a)),
          );
          if (c.resync || mine.length > 0) {
            sub.next({
              warnings: [...new Set(mine.map((t) => t.warning))],
              towns: [...new Set(mine.map((t) => t.town).filter((t) => t))],
              resync: c.resync,
            });
          }
        },
      });
      return () => s.unsubscribe();
    });
  }

  private start(): void {
    if (!this.timer && !this.reading && !this.closed) {
      this.schedule(0);
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reading = this.read().finally(() => {
        this.reading = null;
        if (!this.closed) {
          this.schedule(this.failed ? RETRY_MS : BOARD_COALESCE_MS);
        }
      });
    }, ms);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    try {
      if (!this.cursor) {
        this.cursor = await this.feed.now();
      } else {
        const { touches, next } = await this.feed.since(this.cursor);
        this.cursor = next;
        if (touches.length > 0) {
          this.changes.next({ touches: await this.withAreas(touches) });
        }
      }
      if (this.failed) {
        this.failed = false;
        this.changes.next({ touches: [], resync: true });
      }
    } catch (e) {
      if (!this.failed) {
        this.logger.warn({ msg: 'board could not read the event log; retrying', error: String(e) });
      }
      this.failed = true;
    }
  }

  private async withAreas(touches: Touch[]): Promise<Touch[]> {
    const unknown = [...new Set(touches.filter((t) => !t.town && !this.areas.has(t.warning)).map((t) => t.warning))];
    if (unknown.length > 0) {
      const rows = await this.dataSource.query<Array<{ id: string; area: string[] }>>(
        `SELECT id, area_codes AS area FROM warnings WHERE id = ANY($1::uuid[])`,
        [unknown],
      );
      if (this.areas.size > 10_000) {
        this.areas.clear();
      }
      rows.forEach((r) => this.areas.set(r.id, r.area ?? []));
    }
    return touches.map((t) => (t.town ? t : { ...t, area: this.areas.get(t.warning) ?? [] }));
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.reading;
    this.changes.complete();
  }
}
