import { signCallback, CALLBACK_HEADERS } from '@app/delivery';

/**
 * Posts callbacks to our API the way the providers push them: JSON arrays gathered for a moment, signed with
 * the shared callback secret (HMAC-SHA256 over `timestamp.body`), retried while the API does not answer 2xx.
 */
export class CallbackOutbox {
  private readonly queues = new Map<string, unknown[]>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  delivered = 0;
  failed = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly secret: string,
    private readonly flushMs = 50,
    private readonly maxBatch = 1000,
  ) {}

  push(path: string, record: unknown, single = false): void {
    if (single) {
      void this.post(path, record, 0);
      return;
    }
    const q = this.queues.get(path) ?? [];
    q.push(record);
    this.queues.set(path, q);
    if (q.length >= this.maxBatch) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
    }
  }

  /** Resolves when nothing waits to be posted. */
  async idle(): Promise<void> {
    while (this.queues.size > 0 || this.inFlight > 0) {
      this.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    for (const [path, q] of this.queues) {
      this.queues.delete(path);
      for (let i = 0; i < q.length; i += this.maxBatch) {
        void this.post(path, q.slice(i, i + this.maxBatch), 0);
      }
    }
  }

  private async post(path: string, payload: unknown, tries: number): Promise<void> {
    this.inFlight += 1;
    try {
      const body = JSON.stringify(payload);
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${this.baseUrl()}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [CALLBACK_HEADERS.timestamp]: String(ts),
          [CALLBACK_HEADERS.signature]: signCallback(this.secret, ts, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) {
        throw new Error(`HTTP ${res.status}`);
      }
      this.delivered += 1;
    } catch {
      if (tries < 5) {
        setTimeout(() => void this.post(path, payload, tries + 1), 200 * 2 ** tries).unref();
      } else {
        this.failed += 1;
      }
    } finally {
      this.inFlight -= 1;
    }
  }
}
