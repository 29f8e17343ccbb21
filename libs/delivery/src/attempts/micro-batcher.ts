interface Pending<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects items for up to `maxWaitMs` or `maxItems` and runs them in one call; each submitter gets its own
 * result. Used so a fan-out claims and records many messages per statement while every job
 * still waits for its own row to be written.
 */
export class MicroBatcher<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private timer: NodeJS.Timeout | null = null;
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: { maxItems: number; maxWaitMs: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.opts.maxItems) {
        this.flush();
      } else if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), this.opts.maxWaitMs);
      }
    });
  }

  /** Resolves when nothing is waiting or running (for shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running > 0) {
      this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) {
      return;
    }
    const batch = this.queue.splice(0, this.opts.maxItems);
    this.running += 1;
    this.run(batch.map((p) => p.item))
      .then((outs) => batch.forEach((p, i) => p.resolve(outs[i])))
      .catch((e: unknown) => batch.forEach((p) => p.reject(e)))
      .finally(() => {
        this.running -= 1;
      });
    if (this.queue.length > 0 && !this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.maxWaitMs);
    }
  }
}
